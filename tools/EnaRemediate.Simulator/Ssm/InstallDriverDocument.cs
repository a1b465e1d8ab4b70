using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>
/// EnaRemediate-InstallDriver against the guest model: installs dkms, registers the given ena
/// version with DKMS (AUTOINSTALL, so later kernels with headers get it too), and builds it for
/// every selected installed kernel that has headers. Stdout ends with the install-result JSON of
/// docs/host-report.md. A kernel the driver version cannot build for, or an injected build fault,
/// fails the run the way dkms does.
/// </summary>
internal sealed partial class InstallDriverDocument : SimulatedDocument
{
    public const string DocumentName = "EnaRemediate-InstallDriver";

    public override string Name => DocumentName;
    public override string PluginName => "InstallDriver";
    public override IReadOnlyCollection<string> RequiredParameters => ["SourceArchive", "Sha256", "Version"];
    public override IReadOnlyCollection<string> OptionalParameters => ["Kernels", DocumentRun.TargetDeviceParameter];

    public override void Validate(IReadOnlyDictionary<string, IReadOnlyList<string>> parameters)
    {
        base.Validate(parameters);
        ValidateTargetDevice(parameters);
        Check(parameters, "Version", DriverVersion());
        Check(parameters, "Sha256", Sha256());
        Check(parameters, "SourceArchive", SourceArchive());
        foreach (var kernel in Kernels(parameters))
        {
            if (!KernelName().IsMatch(kernel))
            {
                throw new ApiException("InvalidParameters", $"Parameter \"Kernels\" value \"{kernel}\" does not match the allowed pattern.");
            }
        }
    }

    public override TimeSpan Duration(Random random) => random.Draw(Latencies.DkmsBuild);

    public override DocumentResult Run(DocumentRun run)
    {
        if (run.TargetGuest() is not { } guest)
        {
            return NoTargetVolume(run);
        }
        var version = run.Single("Version")!;
        var selected = Kernels(run.Parameters);
        var targets = selected.Count == 0 ? guest.Kernels.ToList() : guest.Kernels.Where(k => selected.Contains(k.Version)).ToList();
        var buildFails = run.World.Faults.For(run.Instance.InstanceId).DriverBuildFails;
        var unchanged = !buildFails && targets.Count > 0
            && targets.All(k => !k.Headers || k.Ena is { InTree: false } m && m.Version == version + "g")
            && guest.DkmsEnaVersion == version;
        var log = new StringBuilder();
        var results = new List<InstallKernelResult>();
        var undo = (guest.DkmsInstalled, guest.DkmsEnaVersion, Modules: targets.Select(k => (k, k.Ena, k.InitramfsContainsEna)).ToList());
        guest.DkmsInstalled = true;
        guest.DkmsEnaVersion = version;
        foreach (var kernel in targets)
        {
            results.Add(Build(kernel, version, buildFails, log));
        }
        var missing = selected.Where(s => guest.Find(s) is null).ToList();
        foreach (var kernel in missing)
        {
            results.Add(new InstallKernelResult { Kernel = kernel, Headers = false, Dkms = "failed", Error = $"kernel {kernel} is not installed" });
        }
        var failed = results.Any(r => r.Dkms == "failed");
        if (failed)
        {
            // Like install-ena.sh: a failed run leaves the host as it found it (the stock module stays).
            (guest.DkmsInstalled, guest.DkmsEnaVersion) = (undo.DkmsInstalled, undo.DkmsEnaVersion);
            undo.Modules.ForEach(m => (m.k.Ena, m.k.InitramfsContainsEna) = (m.Ena, m.InitramfsContainsEna));
            log.AppendLine("rolled back: previous modules and DKMS registration restored");
        }
        var result = new InstallResult
        {
            Status = failed ? "failed" : unchanged ? "unchanged" : "installed",
            Version = version,
            Kernels = results,
            Log = failed ? log.ToString().TrimEnd() : null,
        };
        var stdout = new StringBuilder()
            .AppendLine($"verified {run.Single("SourceArchive")} sha256 {run.Single("Sha256")}")
            .AppendLine($"staged /usr/src/ena-{version} with dkms.conf (AUTOINSTALL=yes)")
            .Append(string.Concat(results.Select(r => $"{r.Kernel}: dkms {r.Dkms}\n")))
            .AppendLine(JsonSerializer.Serialize(result, HostReportJson.Options))
            .ToString();
        return new DocumentResult(failed ? 10 : 0, stdout, failed ? log.ToString() : "");
    }

    private static InstallKernelResult Build(KernelInstall kernel, string version, bool buildFails, StringBuilder log)
    {
        if (!kernel.Headers)
        {
            log.AppendLine($"Error! Your kernel headers for kernel {kernel.Version} cannot be found.");
            return new InstallKernelResult { Kernel = kernel.Version, Headers = false, Dkms = "skipped", Error = "headers missing" };
        }
        if (buildFails || kernel.IncompatibleDriverVersions.Contains(version))
        {
            if (!buildFails)
            {
                log.AppendLine($"ERROR: modpost: \"__xdp_rxq_info_reg\" [/var/lib/dkms/ena/{version}/build/kernel/linux/ena/ena.ko] undefined!");
            }
            log.AppendLine($"Error! Bad return status for module build on kernel: {kernel.Version} (x86_64)");
            return new InstallKernelResult
            {
                Kernel = kernel.Version, Headers = true, Dkms = "failed",
                Error = buildFails ? "build failed" : "kernel api mismatch",
            };
        }
        var module = GuestOs.DkmsModule(kernel.Version, version);
        kernel.Ena = module;
        kernel.InitramfsContainsEna = true;
        return new InstallKernelResult
        {
            Kernel = kernel.Version, Headers = true, Dkms = "installed",
            Module = module.Path, ModuleVersion = module.Version, Initramfs = true,
        };
    }

    // Kernels may come as several values or one comma/space separated value.
    private static IReadOnlyList<string> Kernels(IReadOnlyDictionary<string, IReadOnlyList<string>> parameters) =>
        parameters.TryGetValue("Kernels", out var values)
            ? values.SelectMany(v => v.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
            : [];

    private static void Check(IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string name, Regex pattern)
    {
        var value = parameters[name][0];
        if (!pattern.IsMatch(value))
        {
            throw new ApiException("InvalidParameters", $"Parameter \"{name}\" value \"{value}\" does not match the allowed pattern.");
        }
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex DriverVersion();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256();

    [GeneratedRegex(@"^(https://|s3://)[^\s;|&`$<>]+$")]
    private static partial Regex SourceArchive();

    [GeneratedRegex(@"^[A-Za-z0-9._+-]{1,100}$")]
    private static partial Regex KernelName();
}
