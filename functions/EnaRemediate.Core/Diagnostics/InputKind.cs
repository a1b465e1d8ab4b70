namespace EnaRemediate.Core.Diagnostics;

/// <summary>What a document was recognised as, from its first lines (see InputKindDetector).</summary>
public enum InputKind
{
    Unknown,
    Empty,
    EthtoolStats,
    EthtoolInfo,
    KernelLog,
    BuildOutput,
    Modinfo,
    NitroCheck,
    HostReport,
    InstallResult,
}

public static class InputKindNames
{
    public static string ToWireName(this InputKind kind) => kind switch
    {
        InputKind.Unknown => "unknown",
        InputKind.Empty => "empty",
        InputKind.EthtoolStats => "ethtool_stats",
        InputKind.EthtoolInfo => "ethtool_info",
        InputKind.KernelLog => "kernel_log",
        InputKind.BuildOutput => "build_output",
        InputKind.Modinfo => "modinfo",
        InputKind.NitroCheck => "nitro_check",
        InputKind.HostReport => "host_report",
        InputKind.InstallResult => "install_result",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
