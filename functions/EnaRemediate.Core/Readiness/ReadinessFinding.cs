using EnaRemediate.Core.Diagnostics;

namespace EnaRemediate.Core.Readiness;

/// <summary>When a finding bites: it decides the verdict (advice never changes it).</summary>
public enum ReadinessImpact
{
    /// <summary>Shown with its fix; the instance is still ready.</summary>
    Advice,
    /// <summary>The kernel update after the next one will boot without ena (DKMS cannot rebuild it).</summary>
    NextUpdate,
    /// <summary>The next boot loses the network.</summary>
    NextReboot,
    /// <summary>The network is gone (or the host is unreachable) now.</summary>
    Now,
}

/// <summary>One readiness answer: what is wrong, for which kernel, how bad, and the fix a person (or --fix) applies.</summary>
public sealed record ReadinessFinding(string Code, Severity Severity, ReadinessImpact Impact, string? Kernel, string Message, string Fix);

/// <summary>The finding codes of docs/inventory.md.</summary>
public static class ReadinessCodes
{
    public const string Unreachable = "unreachable";
    public const string NoReport = "no_report";
    public const string ReportTruncated = "report_truncated";
    public const string ModuleMissing = "module_missing";
    public const string ModuleMissingEnaOff = "module_missing_ena_off";
    public const string InitramfsMissingEna = "initramfs_missing_ena";
    public const string DkmsNotInstalled = "dkms_not_installed";
    public const string HeadersMissing = "headers_missing";
    public const string InterfaceNaming = "interface_naming";
    public const string BlockDeviceNaming = "block_device_naming";
    public const string FstabDeviceNaming = "fstab_device_naming";
}
