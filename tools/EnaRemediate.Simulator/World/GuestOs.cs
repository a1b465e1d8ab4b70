namespace EnaRemediate.Simulator.World;

/// <summary>An ena.ko on disk for one kernel.</summary>
public sealed record EnaModule(string Version, bool InTree, string Path);

/// <summary>One installed kernel: its headers, its ena module (if any) and its initramfs.</summary>
public sealed class KernelInstall
{
    public required string Version { get; init; }
    public bool Headers { get; set; }
    /// <summary>The distribution's repositories still carry this kernel's headers package (so an install can add them).</summary>
    public bool HeadersAvailable { get; init; } = true;
    public EnaModule? Ena { get; set; }
    public bool InitramfsContainsEna { get; set; }
    /// <summary>Driver versions whose build breaks on this kernel (modpost: undefined symbols).</summary>
    public IReadOnlyList<string> IncompatibleDriverVersions { get; init; } = [];

    public KernelInstall Clone() => new()
    {
        Version = Version,
        Headers = Headers,
        HeadersAvailable = HeadersAvailable,
        Ena = Ena,
        InitramfsContainsEna = InitramfsContainsEna,
        IncompatibleDriverVersions = IncompatibleDriverVersions,
    };
}

/// <summary>
/// The operating system on a root disk: what is installed, not what is running (the running
/// kernel belongs to the instance's current boot). EBS-backed instances keep it on their root
/// volume, so a volume attached elsewhere carries its OS with it.
/// </summary>
public sealed class GuestOs
{
    public List<KernelInstall> Kernels { get; init; } = [];
    public string DistroId { get; init; } = "debian";
    public string DistroVersion { get; init; } = "12";
    public string PrettyName { get; init; } = "Debian GNU/Linux 12 (bookworm)";
    public bool DkmsInstalled { get; set; }
    /// <summary>The ena version registered with DKMS (AUTOINSTALL), so new kernels with headers get it.</summary>
    public string? DkmsEnaVersion { get; set; }
    public bool SsmAgentInstalled { get; init; } = true;
    public string? NetIfnames { get; init; } = "0";
    public bool PersistentNetRules { get; init; }
    /// <summary>/etc/fstab names /dev/nvme* devices instead of UUID= or LABEL=: it only boots where EBS is NVMe (Nitro).</summary>
    public bool FstabNamesNvmeDevices { get; set; }

    /// <summary>The kernel the boot loader picks: the newest installed one.</summary>
    public KernelInstall? Newest => Kernels.OrderBy(k => k.Version, KernelVersionComparer.Instance).LastOrDefault();

    public KernelInstall? Find(string version) => Kernels.FirstOrDefault(k => k.Version == version);

    /// <summary>
    /// Installs a kernel the way a package manager does: with DKMS present and ena registered, the
    /// module is rebuilt for it only if its headers are there at that moment (FACTS.md §2).
    /// </summary>
    public KernelInstall InstallKernel(string version, bool headers)
    {
        var kernel = Find(version) ?? new KernelInstall { Version = version };
        kernel.Headers = headers;
        if (!Kernels.Contains(kernel))
        {
            Kernels.Add(kernel);
        }
        if (DkmsInstalled && DkmsEnaVersion is { } ena && headers && !kernel.IncompatibleDriverVersions.Contains(ena))
        {
            kernel.Ena = DkmsModule(version, ena);
            kernel.InitramfsContainsEna = true;
        }
        return kernel;
    }

    /// <summary>A kernel update that did not go through DKMS (the module was built by hand): headers, no ena module.</summary>
    public KernelInstall InstallKernelSkippingDkms(string version)
    {
        var kernel = Find(version) ?? new KernelInstall { Version = version };
        kernel.Headers = true;
        kernel.Ena = null;
        kernel.InitramfsContainsEna = false;
        if (!Kernels.Contains(kernel))
        {
            Kernels.Add(kernel);
        }
        return kernel;
    }

    public static EnaModule DkmsModule(string kernel, string version) =>
        new($"{version}g", false, $"/lib/modules/{kernel}/updates/dkms/ena.ko");

    public static EnaModule InTreeModule(string kernel, string? version) =>
        new(version ?? "", true, $"/lib/modules/{kernel}/kernel/drivers/net/ethernet/amazon/ena/ena.ko");

    public GuestOs Clone() => new()
    {
        Kernels = Kernels.Select(k => k.Clone()).ToList(),
        DistroId = DistroId,
        DistroVersion = DistroVersion,
        PrettyName = PrettyName,
        DkmsInstalled = DkmsInstalled,
        DkmsEnaVersion = DkmsEnaVersion,
        SsmAgentInstalled = SsmAgentInstalled,
        NetIfnames = NetIfnames,
        PersistentNetRules = PersistentNetRules,
        FstabNamesNvmeDevices = FstabNamesNvmeDevices,
    };
}

/// <summary>Orders kernel release strings by their numeric parts: 6.1.0-9 &lt; 6.1.0-56 &lt; 6.1.0-57.</summary>
public sealed class KernelVersionComparer : IComparer<string>
{
    public static readonly KernelVersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = Parts(x ?? "");
        var b = Parts(y ?? "");
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var c = long.TryParse(a[i], out var na) && long.TryParse(b[i], out var nb)
                ? na.CompareTo(nb)
                : string.CompareOrdinal(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return a.Length.CompareTo(b.Length);
    }

    private static string[] Parts(string version) => version.Split(['.', '-', '_', '+'], StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Kernel release strings as distributions bump them.</summary>
public static partial class KernelRelease
{
    /// <summary>
    /// The next release after <paramref name="current"/>: 6.1.0-56-amd64 → 6.1.0-57-amd64,
    /// 5.10.220-209.869.amzn2.x86_64 → 5.10.220-210.869.amzn2.x86_64 (the package release right
    /// after the upstream version, or the patch level when there is none).
    /// </summary>
    public static string Next(string? current)
    {
        current ??= "6.1.0-0-amd64";
        var match = PackageRelease().Match(current);
        var group = match.Success ? match.Groups[2] : PatchLevel().Match(current).Groups[1];
        return group.Success
            ? current[..group.Index] + (long.Parse(group.Value, System.Globalization.CultureInfo.InvariantCulture) + 1) + current[(group.Index + group.Length)..]
            : current + "-1";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d+\.\d+(\.\d+)?-(\d{1,9})")]
    private static partial System.Text.RegularExpressions.Regex PackageRelease();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d+\.\d+\.(\d{1,9})")]
    private static partial System.Text.RegularExpressions.Regex PatchLevel();
}
