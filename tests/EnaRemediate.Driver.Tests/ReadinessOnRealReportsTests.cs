using EnaRemediate.Core.Readiness;
using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>
/// The readiness rules (docs/inventory.md) on host reports that collect-ena.sh prints on this
/// machine after the real dkms built the real ENA source: a newer kernel that arrived without
/// headers is at risk at the next reboot; one whose headers were there when DKMS's AUTOINSTALL ran
/// is ready. Part of the install tests: the same real system, the same clean-up after each test.
/// </summary>
public sealed partial class RealDriverInstallTests
{
    /// <summary>A running Xen instance with ENA on, as EC2 and SSM would describe the host.</summary>
    private static InventoryInstance ReadinessHost() => new()
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

    [Fact]
    public void Readiness_a_kernel_update_without_headers_is_at_risk_at_the_next_reboot()
    {
        var install = Install(archives.Good, [Kernel]);
        Assert.True(install.ExitCode == 0, install.ToString());
        AddKernel(HeaderlessKernel, withHeaders: false);
        Shell.Run("dkms", "autoinstall", "-k", HeaderlessKernel);

        var row = ReadinessRules.Judge(ReadinessHost(), CollectReportTests.Collect().Report);

        Assert.Equal(HeaderlessKernel, row.NextKernel);
        Assert.Equal(ReadinessVerdict.AtRiskNextReboot, row.Verdict);
        var missing = Assert.Single(row.Findings, f => f.Code == ReadinessCodes.ModuleMissing);
        Assert.Equal((ReadinessImpact.NextReboot, HeaderlessKernel), (missing.Impact, missing.Kernel));
        Assert.Contains(row.Findings, f => f.Code == ReadinessCodes.HeadersMissing && f.Kernel == HeaderlessKernel);
    }

    [Fact]
    public void Readiness_a_kernel_update_whose_headers_let_autoinstall_build_ena_is_ready()
    {
        var install = Install(archives.Good, [Kernel]);
        Assert.True(install.ExitCode == 0, install.ToString());
        AddKernel(UpdatedKernel, withHeaders: true);
        Shell.Check("dkms", "autoinstall", "-k", UpdatedKernel);

        var row = ReadinessRules.Judge(ReadinessHost(), CollectReportTests.Collect().Report);

        Assert.Equal(UpdatedKernel, row.NextKernel);
        Assert.Equal($"{archives.Good.Version}g", row.NextEna);
        Assert.Equal("installed", row.Dkms);
        Assert.True(row.Verdict == ReadinessVerdict.Ready, string.Join("; ", row.Findings.Select(f => $"{f.Code}: {f.Message}")));
        Assert.DoesNotContain(row.Findings, f => f.Impact != ReadinessImpact.Advice);
    }

    [Fact]
    public void Readiness_the_boot_loaders_default_not_the_newest_kernel_is_the_next_one()
    {
        var install = Install(archives.Good, [Kernel]);
        Assert.True(install.ExitCode == 0, install.ToString());
        AddKernel(HeaderlessKernel, withHeaders: false);
        Shell.Run("dkms", "autoinstall", "-k", HeaderlessKernel);
        // GRUB pinned to the kernel that has the managed driver: the newer one without ena is not booted next.
        var boot = Directory.CreateTempSubdirectory("enaremediate-boot-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(boot, "grub"));
            File.WriteAllText(Path.Combine(boot, "grub", "grub.cfg"),
                $"set default=\"0\"\nmenuentry 'Debian GNU/Linux' {{\n\tlinux\t/boot/vmlinuz-{Kernel} root=UUID=1b2c ro\n}}\n");

            var report = CollectReportTests.Collect(new Dictionary<string, string?> { ["ENA_COLLECT_BOOT_DIR"] = boot }).Report;
            var row = ReadinessRules.Judge(ReadinessHost(), report);

            Assert.Equal((Kernel, "grub.cfg"), (report.DefaultBootKernel, report.DefaultBootSource));
            Assert.Equal(Kernel, row.NextKernel);
            Assert.DoesNotContain(row.Findings, f => f.Impact == ReadinessImpact.NextReboot);
        }
        finally
        {
            Directory.Delete(boot, recursive: true);
        }
    }
}
