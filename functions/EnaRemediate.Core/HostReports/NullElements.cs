namespace EnaRemediate.Core.HostReports;

/// <summary>
/// JSON allows <c>null</c> where a list element, a map value or a required name belongs
/// (<c>{"kernels":[null]}</c>, <c>{"kernel":null}</c>): the deserialiser lets those through
/// whatever the C# types say. Every consumer of a parsed host document works on the copy these
/// methods return, so no judge ever meets a null it was told cannot be there.
/// </summary>
public static class NullElements
{
    /// <summary>Placeholder for an entry whose name the host did not give.</summary>
    public const string Unnamed = "(unnamed)";

    public static HostReport WithoutNulls(this HostReport report) => report with
    {
        Kernels = report.Kernels is null ? null : Clean(report.Kernels).Select(k => k with { Kernel = k.Kernel ?? Unnamed }).ToList(),
        Fstab = report.Fstab is null ? null : Clean(report.Fstab),
        Dkms = report.Dkms is null ? null : Clean(report.Dkms),
        Interfaces = report.Interfaces is null ? null : Clean(report.Interfaces),
        KernelLog = report.KernelLog is null ? null : Clean(report.KernelLog),
        EthtoolStats = report.EthtoolStats?.Where(s => s.Key is not null && s.Value is not null)
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal),
        Readiness = report.Readiness is null ? null : report.Readiness with { Reasons = report.Readiness.Reasons is null ? null : Clean(report.Readiness.Reasons) },
    };

    public static InstallResult WithoutNulls(this InstallResult result) => result with
    {
        Kernels = result.Kernels is null ? null : Clean(result.Kernels).Select(k => k with { Kernel = k.Kernel ?? Unnamed }).ToList(),
    };

    private static List<T> Clean<T>(IEnumerable<T?> items) where T : class => items.OfType<T>().ToList();
}
