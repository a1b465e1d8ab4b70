using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>
/// EnaRemediate-InstallDriver against the guest model, step for step as driver/scripts/install-ena.sh:
/// installs the headers of every selected kernel from the distribution (a kernel whose headers no
/// repository has fails the run: headers_missing), registers the ena version with DKMS
/// (AUTOINSTALL, so later kernels with headers get it too) and builds it for every kernel. The
/// first kernel that cannot build (kernel_api_mismatch, or the injected build_failed) fails the
/// run; a failed run rolls everything back and exits 1. Stdout ends with the install-result JSON.
/// </summary>
internal sealed partial class InstallDriverDocument : SimulatedDocument
{
    public const string DocumentName = "EnaRemediate-InstallDriver";

    public override string Name => DocumentName;
    public override string PluginName => "installEnaDriver";

    /// <summary>Names, defaults and allowedPatterns as in driver/documents/EnaRemediate-InstallDriver.json.</summary>
    public override IReadOnlyList<DocumentParameter> Parameters => DriverParameters;

    /// <summary>The driver parameters, shared with EnaRemediate-OfflineRepair.</summary>
    internal static readonly IReadOnlyList<DocumentParameter> DriverParameters =
    [
        new("SourceArchive", "https://github.com/amzn/amzn-drivers/archive/refs/tags/ena_linux_2.16.1.tar.gz", SourceArchive()),
        new("Sha256", null, Sha256()),
        new("Version", "2.16.1", DriverVersion()),
        new("Kernels", "", KernelList()),
    ];

    /// <summary>With Version empty the script takes the version the source declares: the pinned release's here.</summary>
    private const string PinnedVersion = "2.16.1";

    public override TimeSpan Duration(Random random) => random.Draw(Latencies.DkmsBuild);

    public override DocumentResult Run(DocumentRun run) =>
        run.Instance.Guest is { } guest ? InstallInto(guest, run, run.Instance.InstanceId, "") : new DocumentResult(1, "", "no root file system\n");

    /// <summary>
    /// install-ena.sh on one OS: the instance's own, or (offline repair) the volume mounted from a
    /// rescue instance; <paramref name="faultsOf"/> is the instance whose injected faults apply (the
    /// one the OS belongs to), <paramref name="preamble"/> what the caller printed before.
    /// </summary>
    internal static DocumentResult InstallInto(GuestOs guest, DocumentRun run, string faultsOf, string preamble)
    {
        var version = run.Single("Version") is { Length: > 0 } v ? v : PinnedVersion;
        var selected = Kernels(run.Parameters);
        var targets = selected.Count == 0 ? guest.Kernels.ToList() : guest.Kernels.Where(k => selected.Contains(k.Version)).ToList();
        var names = selected.Count == 0 ? targets.Select(k => k.Version).ToList() : selected.ToList();
        var install = new Install(guest, version, names, run);
        if (preamble.Length > 0)
        {
            install.Log(preamble.TrimEnd('\n'));
        }
        if (selected.FirstOrDefault(s => guest.Find(s) is null) is { } unknown)
        {
            return install.Fail("kernel_missing", $"kernel {unknown} is not installed", [unknown]);
        }

        // Headers first, from the distribution's packages; a kernel whose headers no repository has stops the run.
        foreach (var kernel in targets.Where(k => !k.Headers && k.HeadersAvailable))
        {
            kernel.Headers = true;
            install.Log($"installed {HeadersPackage(guest, kernel.Version)}");
        }
        var noHeaders = targets.Where(k => !k.Headers).Select(k => k.Version).ToList();
        if (noHeaders.Count > 0)
        {
            return install.Fail("headers_missing", $"kernel headers are missing for {string.Join(" ", noHeaders)}; nothing was installed", noHeaders,
                k => $"headers_missing: kernel headers for {k} are not installed (/lib/modules/{k}/build); install {HeadersPackage(guest, k)}");
        }
        if (guest.DkmsEnaVersion == version && targets.All(k => k.Ena is { InTree: false } m && m.Version == version + "g"))
        {
            return install.Succeed("unchanged");
        }

        guest.DkmsInstalled = true;
        guest.DkmsEnaVersion = version;
        var buildFails = run.World.Faults.For(faultsOf).DriverBuildFails;
        foreach (var kernel in targets)
        {
            var mismatch = kernel.IncompatibleDriverVersions.Contains(version);
            if (buildFails || mismatch)
            {
                if (mismatch)
                {
                    install.Log($"ERROR: modpost: \"__xdp_rxq_info_reg\" [/var/lib/dkms/ena/{version}/build/kernel/linux/ena/ena.ko] undefined!");
                }
                install.Log($"Error! Bad return status for module build on kernel: {kernel.Version} (x86_64)");
                var code = mismatch ? "kernel_api_mismatch" : "build_failed";
                return install.Fail(code, $"dkms could not build ena {version} for {kernel.Version} (exit 10)", [kernel.Version]);
            }
            kernel.Ena = GuestOs.DkmsModule(kernel.Version, version);
            kernel.InitramfsContainsEna = true;
            install.Built(kernel.Version);
        }
        return install.Succeed("installed");
    }

    private static string HeadersPackage(GuestOs guest, string kernel) => guest.DistroId switch
    {
        "debian" or "ubuntu" => $"linux-headers-{kernel}",
        "sles" or "opensuse-leap" => $"kernel-default-devel-{kernel}",
        _ => $"kernel-devel-{kernel}",
    };

    /// <summary>
    /// One run of install-ena.sh on the model: remembers what it changes so that a failure can put
    /// everything back (the stock module stays), and prints the result line the way the script does.
    /// </summary>
    private sealed class Install
    {
        private readonly GuestOs _guest;
        private readonly string _version;
        private readonly IReadOnlyList<string> _kernels;
        private readonly DocumentRun _run;
        private readonly (bool Dkms, string? DkmsVersion) _dkmsBefore;
        private readonly List<(KernelInstall Kernel, bool Headers, EnaModule? Ena, bool Initramfs)> _kernelsBefore;
        private readonly HashSet<string> _built = new(StringComparer.Ordinal);
        private readonly StringBuilder _log = new();

        public Install(GuestOs guest, string version, IReadOnlyList<string> kernels, DocumentRun run)
        {
            _guest = guest;
            _version = version;
            _kernels = kernels;
            _run = run;
            _dkmsBefore = (guest.DkmsInstalled, guest.DkmsEnaVersion);
            _kernelsBefore = guest.Kernels.Select(k => (k, k.Headers, k.Ena, k.InitramfsContainsEna)).ToList();
        }

        public void Log(string line) => _log.AppendLine(line);

        public void Built(string kernel) => _built.Add(kernel);

        public DocumentResult Succeed(string status) => Result(status, 0, _ => null, []);

        public DocumentResult Fail(string code, string message, IReadOnlyList<string> failedKernels, Func<string, string>? errorFor = null)
        {
            Log($"error: {code}: {message}");
            (_guest.DkmsInstalled, _guest.DkmsEnaVersion) = _dkmsBefore;
            foreach (var (kernel, headers, ena, initramfs) in _kernelsBefore)
            {
                (kernel.Headers, kernel.Ena, kernel.InitramfsContainsEna) = (headers, ena, initramfs);
            }
            _built.Clear();
            Log("rolled back: previous modules, headers and DKMS registration restored");
            return Result("failed", 1, k => failedKernels.Contains(k) && errorFor is not null ? errorFor(k) : $"{code}: {message}", failedKernels);
        }

        private DocumentResult Result(string status, int exitCode, Func<string, string?> errorFor, IReadOnlyList<string> failedKernels)
        {
            var result = new InstallResult
            {
                Status = status,
                Version = _version,
                Kernels = _kernels.Select(k =>
                {
                    var kernel = _guest.Find(k);
                    return new InstallKernelResult
                    {
                        Kernel = k,
                        Headers = kernel?.Headers ?? false,
                        Dkms = failedKernels.Contains(k) ? "failed" : _built.Contains(k) || status == "unchanged" ? "installed" : "skipped",
                        Module = kernel?.Ena?.Path,
                        ModuleVersion = kernel?.Ena?.Version is { Length: > 0 } mv ? mv : null,
                        Initramfs = _built.Contains(k),
                        Error = errorFor(k),
                    };
                }).ToList(),
                Log = exitCode == 0 ? null : _log.ToString().TrimEnd(),
            };
            var stdout = new StringBuilder()
                .AppendLine($"verified {_run.Single("SourceArchive")} sha256 {_run.Single("Sha256")}")
                .Append(_log)
                .AppendLine(JsonSerializer.Serialize(result, HostReportJson.Options))
                .ToString();
            return new DocumentResult(exitCode, stdout, exitCode == 0 ? "" : _log.ToString());
        }
    }

    // Kernels may come as several values or one comma/space separated value.
    private static IReadOnlyList<string> Kernels(IReadOnlyDictionary<string, IReadOnlyList<string>> parameters) =>
        parameters.TryGetValue("Kernels", out var values)
            ? values.SelectMany(v => v.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
            : [];

    [GeneratedRegex(@"^([0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4})?$")]
    private static partial Regex DriverVersion();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256();

    [GeneratedRegex("^(/|https://|s3://)[A-Za-z0-9._~:/+%=@-]+$")]
    private static partial Regex SourceArchive();

    [GeneratedRegex("^[A-Za-z0-9._+~, -]{0,1024}$")]
    private static partial Regex KernelList();
}
