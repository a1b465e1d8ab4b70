using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>
/// install-ena.sh for real: the ENA driver from Debian's linux-source-6.1, in the upstream layout,
/// built and installed by the real dkms against the real 6.1.0-56-amd64 headers. Each test puts
/// the machine back as it found it (dkms remove, /usr/src/ena-*, fake kernels, depmod output).
/// </summary>
[Collection(RealSystemCollection.Name)]
public sealed partial class RealDriverInstallTests(UpstreamArchives archives) : IDisposable
{
    private static readonly string Kernel = RealSystem.HeadersKernel;
    /// <summary>A second kernel release with a headers tree: what a kernel update brings.</summary>
    private const string UpdatedKernel = "6.1.0-99-amd64";
    /// <summary>A kernel installed without its headers.</summary>
    private const string HeaderlessKernel = "6.1.0-98-amd64";

    private readonly Dictionary<string, string?> _noPackageInstalls = archives.S3.With(new Dictionary<string, string?> { ["ENAREMEDIATE_PACKAGES"] = "never" });

    private readonly SystemSnapshot _before = Prepare();

    private static SystemSnapshot Prepare()
    {
        RealSystem.RequireRoot();
        return SystemSnapshot.Capture();
    }

    public void Dispose()
    {
        _before.Restore();
        Assert.Equal("", _before.DifferencesFrom(SystemSnapshot.Capture()));
    }

    private ShellResult Install(UpstreamArchive archive, IEnumerable<string> kernels, string? sha256 = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        List<string> arguments = ["--source-archive", archive.Url, "--sha256", sha256 ?? archive.Sha256, "--version", archive.Version];
        foreach (var kernel in kernels) arguments.AddRange(["--kernel", kernel]);
        return Shell.Run(RepoPaths.InstallScript, arguments, environment ?? _noPackageInstalls, TimeSpan.FromMinutes(10));
    }

    /// <summary>What the diagnostics engine (enaremediate diagnose) makes of install-ena.sh's result line.</summary>
    private static Diagnosis DiagnoseInstall(ShellResult result) =>
        DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("install-ena.json", result.LastLine)]);

    private static IEnumerable<string> Codes(Diagnosis diagnosis) => diagnosis.Findings.Select(f => f.Code);

    private static void AddKernel(string release, bool withHeaders)
    {
        Directory.CreateDirectory($"/lib/modules/{release}/kernel");
        if (withHeaders)
        {
            // The same Debian headers tree under another release name: enough for kbuild, which
            // builds against it (the module's vermagic stays the original one, which a build ignores).
            File.CreateSymbolicLink($"/lib/modules/{release}/build", $"/usr/src/linux-headers-{Kernel}");
        }
    }

    [Fact]
    public void InstallsTheRealDriverThroughDkmsBesideTheStockModuleAndARerunChangesNothing()
    {
        var good = archives.Good;
        // The distribution's own module, as every Debian/Ubuntu/RHEL kernel ships one.
        var stock = $"/lib/modules/{Kernel}/kernel/drivers/net/ethernet/amazon/ena/ena.ko";
        Directory.CreateDirectory(Path.GetDirectoryName(stock)!);
        File.Copy(archives.StockModule(Kernel), stock);
        var stockBytes = File.ReadAllBytes(stock);
        Shell.Check("depmod", Kernel);
        Assert.Equal(stock, RealSystem.ModinfoPath(Kernel));

        var first = Install(good, [Kernel]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var result = first.InstallResult();
        Assert.Equal("installed", result.Status);
        Assert.Equal(good.Version, result.Version);
        var kernel = Assert.Single(result.Kernels!);
        Assert.Equal(new InstallKernelResult
        {
            Kernel = Kernel,
            Headers = true,
            Dkms = "installed",
            Module = $"/lib/modules/{Kernel}/updates/dkms/ena.ko",
            ModuleVersion = $"{good.Version}g",
            Initramfs = kernel.Initramfs,
            Error = null,
        }, kernel);
        Assert.Null(result.Log);

        // What the system says, not only what the script says.
        Assert.Equal($"/lib/modules/{Kernel}/updates/dkms/ena.ko", RealSystem.ModinfoPath(Kernel));
        Assert.Equal($"{good.Version}g", RealSystem.ModinfoVersion(Kernel));
        Assert.Contains($"ena/{good.Version}, {Kernel}, x86_64: installed", RealSystem.DkmsStatus());
        var conf = File.ReadAllLines($"/usr/src/ena-{good.Version}/dkms.conf");
        Assert.Contains("PACKAGE_NAME=\"ena\"", conf);
        Assert.Contains($"PACKAGE_VERSION=\"{good.Version}\"", conf);
        Assert.Contains("AUTOINSTALL=\"yes\"", conf);
        Assert.Contains("MAKE[0]=\"make -C kernel/linux/ena BUILD_KERNEL=${kernelver}\"", conf);
        Assert.DoesNotContain(conf, line => line.StartsWith("CLEAN", StringComparison.Ordinal) || line.StartsWith("REMAKE_INITRD", StringComparison.Ordinal));
        Assert.True(Directory.Exists($"/usr/src/ena-{good.Version}/kernel/linux/common/ena_com"));
        Assert.Equal(stockBytes, File.ReadAllBytes(stock));

        var moduleTime = File.GetLastWriteTimeUtc(RealSystem.ModinfoPath(Kernel));
        var dkmsStatus = RealSystem.DkmsStatus();
        var second = Install(good, [Kernel]);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal("unchanged", second.InstallResult().Status);
        Assert.Equal("installed", Assert.Single(second.InstallResult().Kernels!).Dkms);
        Assert.Equal(dkmsStatus, RealSystem.DkmsStatus());
        Assert.Equal(moduleTime, File.GetLastWriteTimeUtc(RealSystem.ModinfoPath(Kernel)));

        // The generated SSM document runs the same script: also unchanged.
        var document = new SsmCommandDocument(Path.Combine(RepoPaths.Documents, "EnaRemediate-InstallDriver.json"));
        var viaSsm = document.Run(new Dictionary<string, string>
        {
            ["SourceArchive"] = good.Url,
            ["Sha256"] = good.Sha256,
            ["Version"] = good.Version,
            ["Kernels"] = Kernel,
        }, _noPackageInstalls);
        Assert.True(viaSsm.ExitCode == 0, viaSsm.ToString());
        Assert.Equal("unchanged", viaSsm.InstallResult().Status);

        // And the host report sees the DKMS module, not an in-tree one.
        var (report, _) = CollectReportTests.Collect();
        var entry = Assert.Single(report.Kernels!, k => k.Kernel == Kernel);
        Assert.Equal(new EnaModuleInfo($"/lib/modules/{Kernel}/updates/dkms/ena.ko", $"{good.Version}g", false), entry.EnaModule);
        Assert.Contains(new DkmsEntry("ena", good.Version, Kernel, "x86_64", "installed"), report.Dkms!);

        // The diagnostics engine judges both real outputs as a host with its module.
        var judged = DiagnosticsEngine.Diagnose(report);
        Assert.DoesNotContain(FindingCodes.ModuleMissing, Codes(judged));
        Assert.True(judged.Verdict < Verdict.NotReady, $"{judged.Verdict}: {string.Join(", ", Codes(judged))}");
        var installJudged = DiagnoseInstall(first);
        Assert.Equal(InputKind.InstallResult, Assert.Single(installJudged.Inputs).Kind);
        Assert.Equal(Verdict.Healthy, installJudged.Verdict);
    }

    [Fact]
    public void AutoinstallBuildsTheModuleForANewKernelAndTheReportFlagsAKernelWithoutHeaders()
    {
        var good = archives.Good;
        var install = Install(good, [Kernel]);
        Assert.True(install.ExitCode == 0, install.ToString());

        // A kernel update: its headers arrive, then the kernel's postinst runs dkms autoinstall.
        AddKernel(UpdatedKernel, withHeaders: true);
        Shell.Check("dkms", "autoinstall", "-k", UpdatedKernel);
        Assert.Equal($"/lib/modules/{UpdatedKernel}/updates/dkms/ena.ko", RealSystem.ModinfoPath(UpdatedKernel));
        Assert.Equal($"{good.Version}g", RealSystem.ModinfoVersion(UpdatedKernel));
        Assert.Contains($"ena/{good.Version}, {UpdatedKernel}, x86_64: installed", RealSystem.DkmsStatus());

        // A kernel updated without its headers: AUTOINSTALL cannot help it, and the report says so.
        AddKernel(HeaderlessKernel, withHeaders: false);
        Shell.Run("dkms", "autoinstall", "-k", HeaderlessKernel);
        Assert.Equal("", RealSystem.ModinfoPath(HeaderlessKernel));
        var (report, _) = CollectReportTests.Collect();
        var headerless = Assert.Single(report.Kernels!, k => k.Kernel == HeaderlessKernel);
        Assert.False(headerless.Headers);
        Assert.Null(headerless.EnaModule);
        Assert.True(Assert.Single(report.Kernels!, k => k.Kernel == UpdatedKernel).Headers);
        Assert.False(report.Readiness!.EnaCanBeEnabled);
        Assert.Contains($"kernel {HeaderlessKernel} has no ena module", report.Readiness.Reasons!);
        var judged = DiagnosticsEngine.Diagnose(report);
        Assert.Contains(FindingCodes.HeadersMissing, Codes(judged));
        Assert.Contains(FindingCodes.ModuleMissing, Codes(judged));
    }

    [Fact]
    public void AWrongChecksumUnpacksNothingAndChangesNothing()
    {
        var temp = Directory.CreateTempSubdirectory("enaremediate-tmpdir-").FullName;
        try
        {
            var environment = new Dictionary<string, string?>(_noPackageInstalls) { ["TMPDIR"] = temp };
            var result = Install(archives.Good, [Kernel], sha256: new string('a', 64), environment: environment);
            Assert.Equal(1, result.ExitCode);
            var install = result.InstallResult();
            Assert.Equal("failed", install.Status);
            Assert.StartsWith("checksum_mismatch:", Assert.Single(install.Kernels!).Error);
            Assert.Empty(Directory.GetFileSystemEntries(temp));
            Assert.Equal("", _before.DifferencesFrom(SystemSnapshot.Capture()));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public void MissingHeadersFailClearlyAndInstallNothing()
    {
        AddKernel(HeaderlessKernel, withHeaders: false);
        var withFakeKernel = SystemSnapshot.Capture();
        var result = Install(archives.Good, [Kernel, HeaderlessKernel]);
        Assert.Equal(1, result.ExitCode);
        var install = result.InstallResult();
        Assert.Equal("failed", install.Status);
        var headerless = Assert.Single(install.Kernels!, k => k.Kernel == HeaderlessKernel);
        Assert.False(headerless.Headers);
        Assert.Equal("failed", headerless.Dkms);
        Assert.StartsWith("headers_missing: kernel headers for 6.1.0-98-amd64 are not installed", headerless.Error);
        Assert.Contains("linux-headers-6.1.0-98-amd64", headerless.Error);
        Assert.Equal("skipped", Assert.Single(install.Kernels!, k => k.Kernel == Kernel).Dkms);
        Assert.Contains(FindingCodes.HeadersMissing, Codes(DiagnoseInstall(result)));
        Assert.Equal("", withFakeKernel.DifferencesFrom(SystemSnapshot.Capture()));
    }

    [Fact]
    public void ABuildErrorRollsBackToTheStateBeforeTheRun()
    {
        // A working install exists; a broken newer release must leave it exactly as it was.
        var good = Install(archives.Good, [Kernel]);
        Assert.True(good.ExitCode == 0, good.ToString());
        var dkmsBefore = RealSystem.DkmsStatus();
        var usrSrcBefore = Directory.GetFileSystemEntries("/usr/src").Order().ToList();

        var result = Install(archives.Broken, [Kernel]);
        Assert.Equal(1, result.ExitCode);
        var install = result.InstallResult();
        Assert.Equal("failed", install.Status);
        var kernel = Assert.Single(install.Kernels!);
        Assert.Equal("failed", kernel.Dkms);
        Assert.StartsWith("build_failed:", kernel.Error);
        Assert.Contains("deliberate build failure", install.Log);
        Assert.Contains("rollback: dkms remove ena/2.1.1 --all", result.Stderr);
        var judged = DiagnoseInstall(result);
        Assert.Equal(Verdict.BuildFailure, judged.Verdict);
        Assert.Contains(FindingCodes.BuildFailed, Codes(judged));

        Assert.Equal(dkmsBefore, RealSystem.DkmsStatus());
        Assert.Equal(usrSrcBefore, Directory.GetFileSystemEntries("/usr/src").Order().ToList());
        Assert.False(Directory.Exists($"/var/lib/dkms/ena/{UpstreamArchives.BrokenVersion}"));
        // The module the host had is still the one it loads, and the result says which.
        Assert.Equal($"{UpstreamArchives.GoodVersion}g", RealSystem.ModinfoVersion(Kernel));
        Assert.Equal($"{UpstreamArchives.GoodVersion}g", kernel.ModuleVersion);
    }
}
