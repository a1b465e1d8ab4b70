using EnaRemediate.Core.Readiness;
using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>
/// The readiness rules (docs/inventory.md) on host reports that collect-ena.sh prints on this
/// machine after the real dkms built the real ENA source: a newer kernel that arrived without
/// headers is at risk at the next reboot; one whose headers were there when DKMS's AUTOINSTALL ran
/// is ready. Same real-system collection and clean-up as the install tests.
/// </summary>
[Collection(RealSystemCollection.Name)]
public sealed class ReadinessOnRealReportsTests(UpstreamArchives archives) : IDisposable
{
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

    /// <summary>A running Xen instance with ENA on, as EC2 and SSM would describe the host.</summary>
    private static InventoryInstance Host() => new()
    {
        InstanceId = "i-0123456789abcdef0",
        InstanceType = "r4.large",
        State = "running",
        EnaSupport = true,
        TypeEnaSupport = "supported",
        InstanceStatus = "ok",
        PingStatus = "Online",
        OptedIn = true,
    };

    private static void InstallGood(UpstreamArchives archives)
    {
        var install = RealDriverInstallTests.Install(archives.Good, [RealSystem.HeadersKernel]);
        Assert.True(install.ExitCode == 0, install.ToString());
    }

    [Fact]
    public void A_kernel_update_without_headers_is_at_risk_at_the_next_reboot()
    {
        InstallGood(archives);
        RealDriverInstallTests.AddKernel(RealDriverInstallTests.HeaderlessKernel, withHeaders: false);
        Shell.Run("dkms", "autoinstall", "-k", RealDriverInstallTests.HeaderlessKernel);

        var (report, _) = CollectReportTests.Collect();
        var row = ReadinessRules.Judge(Host(), report);

        Assert.Equal(RealDriverInstallTests.HeaderlessKernel, row.NextKernel);
        Assert.Equal(ReadinessVerdict.AtRiskNextReboot, row.Verdict);
        var missing = Assert.Single(row.Findings, f => f.Code == ReadinessCodes.ModuleMissing);
        Assert.Equal((ReadinessImpact.NextReboot, RealDriverInstallTests.HeaderlessKernel), (missing.Impact, missing.Kernel));
        Assert.Contains(row.Findings, f => f.Code == ReadinessCodes.HeadersMissing && f.Kernel == RealDriverInstallTests.HeaderlessKernel);
    }

    [Fact]
    public void A_kernel_update_whose_headers_let_autoinstall_build_ena_is_ready()
    {
        InstallGood(archives);
        RealDriverInstallTests.AddKernel(RealDriverInstallTests.UpdatedKernel, withHeaders: true);
        Shell.Check("dkms", "autoinstall", "-k", RealDriverInstallTests.UpdatedKernel);

        var (report, _) = CollectReportTests.Collect();
        var row = ReadinessRules.Judge(Host(), report);

        Assert.Equal(RealDriverInstallTests.UpdatedKernel, row.NextKernel);
        Assert.Equal($"{archives.Good.Version}g", row.NextEna);
        Assert.Equal("installed", row.Dkms);
        Assert.True(row.Verdict == ReadinessVerdict.Ready, string.Join("; ", row.Findings.Select(f => $"{f.Code}: {f.Message}")));
        Assert.DoesNotContain(row.Findings, f => f.Impact != ReadinessImpact.Advice);
    }
}
