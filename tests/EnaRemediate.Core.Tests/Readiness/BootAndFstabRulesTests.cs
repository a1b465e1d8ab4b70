using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Core.Readiness;
using static EnaRemediate.Core.Tests.Readiness.ReadinessRulesTests;

namespace EnaRemediate.Core.Tests.Readiness;

/// <summary>The next kernel from the boot loader's default (defaultBootKernel) and fstab's device names against the type.</summary>
public sealed class BootAndFstabRulesTests
{
    private const string Older = "6.1.0-55-amd64";

    [Fact]
    public void The_boot_loaders_default_is_the_next_kernel_even_when_a_newer_one_is_installed()
    {
        // GRUB pinned to the running kernel: the newer kernel without ena is not booted next.
        var report = Report([Kernel(Running, Dkms(Running)), Kernel(Next, null)]) with { DefaultBootKernel = Running };
        var row = ReadinessRules.Judge(Instance(), report);

        Assert.Equal(Running, row.NextKernel);
        Assert.Equal(ReadinessVerdict.Ready, row.Verdict);
        Assert.Empty(row.Findings);
    }

    [Fact]
    public void A_default_pointing_at_an_older_kernel_without_ena_is_at_risk_though_the_newest_is_fine()
    {
        var report = Report([Kernel(Older, null), Kernel(Running, Dkms(Running)), Kernel(Next, Dkms(Next))]) with { DefaultBootKernel = Older };
        var row = ReadinessRules.Judge(Instance(), report);

        Assert.Equal(Older, row.NextKernel);
        Assert.Equal(ReadinessVerdict.AtRiskNextReboot, row.Verdict);
        var finding = Assert.Single(row.Findings);
        Assert.Equal((ReadinessCodes.ModuleMissing, ReadinessImpact.NextReboot, Older), (finding.Code, finding.Impact, finding.Kernel));
        Assert.DoesNotContain(ReadinessRules.AssumedNote, finding.Message);
    }

    [Fact]
    public void A_default_kernel_with_no_module_tree_on_the_host_boots_without_ena()
    {
        var report = Report([Kernel(Running, Dkms(Running))]) with { DefaultBootKernel = "6.1.0-99-amd64" };
        var row = ReadinessRules.Judge(Instance(), report);

        Assert.Equal("6.1.0-99-amd64", row.NextKernel);
        Assert.Equal(ReadinessVerdict.AtRiskNextReboot, row.Verdict);
        Assert.Contains(row.Findings, f => f is { Code: ReadinessCodes.ModuleMissing, Impact: ReadinessImpact.NextReboot, Kernel: "6.1.0-99-amd64" });
    }

    [Fact]
    public void Without_a_default_the_newest_stands_in_and_its_findings_say_so()
    {
        var row = ReadinessRules.Judge(Instance(), Report([Kernel(Running, Dkms(Running)), Kernel(Next, null)]));

        Assert.Equal(Next, row.NextKernel);
        var finding = Assert.Single(row.Findings);
        Assert.EndsWith(ReadinessRules.AssumedNote, finding.Message);
    }

    [Fact]
    public void With_one_kernel_nothing_is_assumed()
    {
        var row = ReadinessRules.Judge(Instance(), Report([Kernel(Running, Dkms(Running), headers: false)]));
        Assert.DoesNotContain(row.Findings, f => f.Message.Contains(ReadinessRules.AssumedNote, StringComparison.Ordinal));
        Assert.Equal([ReadinessCodes.HeadersMissing], Codes(row));
    }

    private static HostReport WithFstab(params FstabEntry[] entries) => Report([Kernel(Running, Dkms(Running))]) with { Fstab = entries };

    [Fact]
    public void An_nvme_name_on_a_xen_type_that_does_not_exist_and_is_not_nofail_stops_the_next_boot()
    {
        var row = ReadinessRules.Judge(Instance(typeEna: "supported"), WithFstab(new FstabEntry("/dev/nvme1n1p1", "/data", false, false)));

        Assert.Equal(ReadinessVerdict.AtRiskNextReboot, row.Verdict);
        var finding = Assert.Single(row.Findings);
        Assert.Equal((ReadinessCodes.FstabDeviceNaming, Severity.Error, ReadinessImpact.NextReboot), (finding.Code, finding.Severity, finding.Impact));
        Assert.Contains("/dev/nvme1n1p1", finding.Message);
        Assert.Contains("r4.large", finding.Message);
        Assert.Contains("UUID=", finding.Fix);
    }

    [Theory]
    [InlineData("/dev/xvdf", "/data", false, true, "udev aliases")] // exists now through Amazon Linux's aliases
    [InlineData("/dev/sdb1", "/data", true, false, "nofail")]
    [InlineData("/dev/xvda1", "/", false, false, "root=")]
    public void Xen_names_on_nitro_that_still_boot_are_advice(string spec, string mountPoint, bool nofail, bool exists, string reason)
    {
        var row = ReadinessRules.Judge(Instance(typeEna: "required"), WithFstab(new FstabEntry(spec, mountPoint, nofail, exists)));

        Assert.Equal(ReadinessVerdict.Ready, row.Verdict);
        var finding = Assert.Single(row.Findings);
        Assert.Equal((ReadinessCodes.FstabDeviceNaming, Severity.Warning, ReadinessImpact.Advice), (finding.Code, finding.Severity, finding.Impact));
        Assert.Contains(reason, finding.Message);
    }

    [Theory]
    [InlineData("required", "/dev/nvme0n1p1", false)] // right on Nitro
    [InlineData("supported", "/dev/xvdb", false)] // right on Xen
    [InlineData("supported", "/dev/nvme0n1", true)] // a Xen type's instance store (i3), which exists
    [InlineData("required", "UUID=1b2c-33", null)]
    [InlineData("required", "LABEL=cloudimg-rootfs", null)]
    [InlineData("required", "/dev/mapper/vg-data", false)]
    [InlineData("required", "/dev/xvdaa1; rm", false)]
    public void Names_that_fit_the_type_and_names_that_are_no_driver_names_are_no_finding(string typeEna, string spec, bool? exists)
    {
        var row = ReadinessRules.Judge(Instance(typeEna: typeEna), WithFstab(new FstabEntry(spec, "/data", false, exists)));
        Assert.DoesNotContain(ReadinessCodes.FstabDeviceNaming, Codes(row));
    }

    [Fact]
    public void An_unknown_type_or_no_fstab_judges_nothing()
    {
        var unknown = Instance() with { TypeEnaSupport = null };
        Assert.Empty(ReadinessRules.Judge(unknown, WithFstab(new FstabEntry("/dev/nvme1n1", "/data", false, false))).Findings);
        Assert.Empty(ReadinessRules.Judge(Instance(), Report([Kernel(Running, Dkms(Running))])).Findings);
    }
}
