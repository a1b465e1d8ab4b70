using System.Text.Json.Serialization;

namespace EnaRemediate.Core.HostReports;

/// <summary>
/// The host report (docs/host-report.md): what collect-ena.sh prints, what the simulator's guest
/// model produces, and what the diagnostics engine judges. Every member may be missing in a cut
/// or partial report, so everything is nullable; consumers judge what is there.
/// </summary>
public sealed record HostReport
{
    public const string SchemaId = "enaremediate.host-report/1";

    public string? Schema { get; init; } = SchemaId;
    public DateTimeOffset? GeneratedAt { get; init; }
    public string? Hostname { get; init; }
    public DistroInfo? Distro { get; init; }
    public string? RunningKernel { get; init; }
    /// <summary>The kernel the boot loader boots next; null when it cannot be told (docs/host-report.md).</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string? DefaultBootKernel { get; init; }
    /// <summary>Where <see cref="DefaultBootKernel"/> was read: grubby, grub.cfg or grubenv.</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string? DefaultBootSource { get; init; }
    public string? KernelCommandLine { get; init; }
    /// <summary>The value of net.ifnames= on the kernel command line; null when absent.</summary>
    public string? NetIfnames { get; init; }
    public bool? PersistentNetRules { get; init; }
    /// <summary>The entries of /etc/fstab (at most 64): how each names its device; null when fstab was not read.</summary>
    [JsonConverter(typeof(LenientListConverter<FstabEntry>))]
    public IReadOnlyList<FstabEntry>? Fstab { get; init; }
    public IReadOnlyList<KernelEntry>? Kernels { get; init; }
    public IReadOnlyList<DkmsEntry>? Dkms { get; init; }
    public IReadOnlyList<InterfaceEntry>? Interfaces { get; init; }
    /// <summary>ethtool -S per ENA interface: interface name → counter name → value.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>? EthtoolStats { get; init; }
    public IReadOnlyList<string>? KernelLog { get; init; }
    public Readiness? Readiness { get; init; }
    public bool? Truncated { get; init; }
}

/// <param name="Spec">The first fstab field: /dev/xvda1, UUID=…, LABEL=…</param>
/// <param name="Exists">For a /dev path: whether it exists on the host now; null for the other specs.</param>
public sealed record FstabEntry(string? Spec, string? MountPoint, bool? Nofail, bool? Exists);

public sealed record DistroInfo(string? Id, string? VersionId, string? PrettyName);

public sealed record KernelEntry
{
    public required string Kernel { get; init; }
    public bool? Running { get; init; }
    public bool? Headers { get; init; }
    public EnaModuleInfo? EnaModule { get; init; }
    public InitramfsInfo? Initramfs { get; init; }
}

public sealed record EnaModuleInfo(string? Path, string? Version, bool? InTree);

public sealed record InitramfsInfo(string? Path, bool? ContainsEna);

public sealed record DkmsEntry(string? Module, string? Version, string? Kernel, string? Arch, string? State);

public sealed record InterfaceEntry(string? Name, string? Driver, string? DriverVersion, string? BusInfo, string? OperState);

public sealed record Readiness(bool? EnaCanBeEnabled, IReadOnlyList<string>? Reasons);

/// <summary>The last stdout line of install-ena.sh (docs/host-report.md, "The install result").</summary>
public sealed record InstallResult
{
    /// <summary>installed, unchanged, failed or dry-run.</summary>
    public string? Status { get; init; }
    public string? Version { get; init; }
    public IReadOnlyList<InstallKernelResult>? Kernels { get; init; }
    public string? Log { get; init; }
}

public sealed record InstallKernelResult
{
    public required string Kernel { get; init; }
    public bool? Headers { get; init; }
    /// <summary>installed, built, failed or skipped.</summary>
    public string? Dkms { get; init; }
    public string? Module { get; init; }
    public string? ModuleVersion { get; init; }
    public bool? Initramfs { get; init; }
    public string? Error { get; init; }
}

/// <summary>The one set of JSON options for both documents: camelCase, nulls kept out, lenient on input.</summary>
public static class HostReportJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };
}
