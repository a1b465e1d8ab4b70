using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Core.Tests.Readiness;

/// <summary>The readiness rules on host reports built the way collect-ena.sh prints them.</summary>
public sealed class ReadinessRulesTests
{
    internal const string Running = "6.1.0-56-amd64";
    internal const string Next = "6.1.0-57-amd64";

    internal static InventoryInstance Instance(bool enaSupport = true, string typeEna = "supported", string status = "ok", string? ping = "Online", string state = "running") => new()
    {
        InstanceId = "i-0123456789abcdef0",
        InstanceType = typeEna == "required" ? "m5.large" : "r4.large",
        State = state,
        EnaSupport = enaSupport,
        TypeEnaSupport = typeEna,
        InstanceStatus = status,
        PingStatus = ping,
        OptedIn = true,
    };

    internal static KernelEntry Kernel(string version, EnaModuleInfo? ena, bool headers = true, bool? initramfsEna = null) => new()
    {
        Kernel = version,
        Running = version == Running,
        Headers = headers,
        EnaModule = ena,
        Initramfs = new InitramfsInfo($"/boot/initrd.img-{version}", initramfsEna ?? ena is not null),
    };

    internal static EnaModuleInfo Dkms(string kernel) => new($"/lib/modules/{kernel}/updates/dkms/ena.ko", "2.16.1g", false);
    internal static EnaModuleInfo InTree(string kernel) => new($"/lib/modules/{kernel}/kernel/drivers/net/ethernet/amazon/ena/ena.ko", null, true);

    internal static HostReport Report(IReadOnlyList<KernelEntry> kernels, IReadOnlyList<DkmsEntry>? dkms = null, string distro = "debian",
        string? ifnames = "0", bool persistentRules = false, string root = "UUID=1b2c", string iface = "eth0") => new()
    {
        Distro = new DistroInfo(distro, "12", distro),
        RunningKernel = Running,
        KernelCommandLine = $"BOOT_IMAGE=/boot/vmlinuz-{Running} root={root} ro" + (ifnames is null ? "" : $" net.ifnames={ifnames}"),
        NetIfnames = ifnames,
        PersistentNetRules = persistentRules,
        Kernels = kernels,
        Dkms = dkms ?? kernels.Where(k => k.EnaModule is { InTree: false }).Select(k => new DkmsEntry("ena", "2.16.1", k.Kernel, "x86_64", "installed")).ToList(),
        Interfaces = [new InterfaceEntry(iface, "ena", "2.16.1g", "0000:00:05.0", "up")],
    };

    internal static IEnumerable<string> Codes(InstanceReadiness row) => row.Findings.Select(f => f.Code);

    [Fact]
    public void Both_kernels_with_a_dkms_module_and_headers_are_ready_with_no_findings()
    {
        var row = ReadinessRules.Judge(Instance(), Report([Kernel(Running, Dkms(Running)), Kernel(Next, Dkms(Next))]));

        Assert.Equal(ReadinessVerdict.Ready, row.Verdict);
        Assert.Empty(row.Findings);
        Assert.Equal((Running, Next, "2.16.1g", "2.16.1g", "installed"), (row.RunningKernel, row.NextKernel, row.RunningEna, row.NextEna, row.Dkms));
    }

    [Fact]
    public void A_newer_kernel_without_ena_is_at_risk_at_the_next_reboot_and_names_that_kernel()
    {
        var row = ReadinessRules.Judge(Instance(), Report([Kernel(Next, null), Kernel(Running, Dkms(Running))]));

        Assert.Equal(ReadinessVerdict.AtRiskNextReboot, row.Verdict);
        var finding = Assert.Single(row.Findings, f => f.Code == ReadinessCodes.ModuleMissing);
        Assert.Equal((Severity.Critical, ReadinessImpact.NextReboot, Next), (finding.Severity, finding.Impact, finding.Kernel));
        Assert.Contains("--fix", finding.Fix);
        Assert.Equal(Next, row.NextKernel);
        Assert.Null(row.NextEna);
    }

    [Fact]
    public void Kernel_order_is_numeric_not_alphabetic()
    {
        var row = ReadinessRules.Judge(Instance(), Report([Kernel("6.1.0-100-amd64", null), Kernel("6.1.0-99-amd64", Dkms("6.1.0-99-amd64")), Kernel(Running, Dkms(Running))]));
        Assert.Equal("6.1.0-100-amd64", row.NextKernel);
        Assert.Equal(ReadinessVerdict.AtRiskNextReboot, row.Verdict);
    }

    [Fact]
    public void A_next_kernel_without_headers_is_at_risk_for_the_update_after_next()
    {
        var row = ReadinessRules.Judge(Instance(), Report([Kernel(Running, Dkms(Running)), Kernel(Next, Dkms(Next), headers: false)]));

        Assert.Equal(ReadinessVerdict.AtRiskNextReboot, row.Verdict);
        var finding = Assert.Single(row.Findings);
        Assert.Equal((ReadinessCodes.HeadersMissing, ReadinessImpact.NextUpdate, Next), (finding.Code, finding.Impact, finding.Kernel));
    }

    [Fact]
    public void A_hand_built_module_without_dkms_is_at_risk_for_the_next_update()
    {
        var handBuilt = new EnaModuleInfo($"/lib/modules/{Next}/updates/ena.ko", "2.8.0g", false);
        var row = ReadinessRules.Judge(Instance(), Report([Kernel(Running, handBuilt), Kernel(Next, handBuilt)], dkms: []));

        Assert.Equal(ReadinessVerdict.AtRiskNextReboot, row.Verdict);
        Assert.Equal([ReadinessCodes.DkmsNotInstalled], Codes(row));
        Assert.Equal("-", row.Dkms);
    }

    [Fact]
    public void An_in_tree_module_needs_neither_dkms_nor_headers()
    {
        var row = ReadinessRules.Judge(Instance(typeEna: "required"), Report([Kernel(Running, InTree(Running), headers: false), Kernel(Next, InTree(Next), headers: false)], dkms: [], root: "UUID=x"));
        Assert.Equal(ReadinessVerdict.Ready, row.Verdict);
        Assert.Empty(row.Findings);
        Assert.Equal("in-tree", row.NextEna);
    }

    [Fact]
    public void The_running_kernel_without_ena_while_ena_is_on_is_broken_now()
    {
        var row = ReadinessRules.Judge(Instance(), Report([Kernel(Running, null)]));
        Assert.Equal(ReadinessVerdict.BrokenNow, row.Verdict);
        Assert.Equal((ReadinessImpact.Now, Running), (row.Findings.Single().Impact, row.Findings.Single().Kernel));
    }

    [Fact]
    public void With_ena_off_on_a_supported_type_a_missing_module_is_advice_not_risk()
    {
        var row = ReadinessRules.Judge(Instance(enaSupport: false), Report([Kernel(Running, null), Kernel(Next, null)]));
        Assert.Equal(ReadinessVerdict.Ready, row.Verdict);
        Assert.All(row.Findings, f => Assert.Equal((ReadinessCodes.ModuleMissingEnaOff, ReadinessImpact.Advice), (f.Code, f.Impact)));
        Assert.Equal(2, row.Findings.Count);
    }

    [Fact]
    public void A_type_without_ena_is_not_judged_on_ena_at_all()
    {
        var row = ReadinessRules.Judge(Instance(enaSupport: false, typeEna: "unsupported"), Report([Kernel(Running, null)]));
        Assert.Equal(ReadinessVerdict.Ready, row.Verdict);
        Assert.Empty(row.Findings);
    }

    [Theory]
    [InlineData("amzn", true)]
    [InlineData("rhel", true)]
    [InlineData("debian", false)]
    [InlineData("ubuntu", false)]
    public void An_initramfs_without_ena_matters_only_where_the_distribution_loads_it_from_there(string distro, bool atRisk)
    {
        var row = ReadinessRules.Judge(Instance(), Report([Kernel(Running, Dkms(Running)), Kernel(Next, Dkms(Next), initramfsEna: false)], distro: distro));
        Assert.Equal(atRisk ? ReadinessVerdict.AtRiskNextReboot : ReadinessVerdict.Ready, row.Verdict);
        Assert.Equal(atRisk, Codes(row).Contains(ReadinessCodes.InitramfsMissingEna));
    }

    [Fact]
    public void Naming_problems_are_advice_with_their_fix()
    {
        var report = Report([Kernel(Running, Dkms(Running))], persistentRules: true, root: "/dev/xvda1", iface: "ens5");
        var row = ReadinessRules.Judge(Instance(typeEna: "required"), report);

        Assert.Equal(ReadinessVerdict.Ready, row.Verdict);
        Assert.Equal([ReadinessCodes.InterfaceNaming, ReadinessCodes.InterfaceNaming, ReadinessCodes.BlockDeviceNaming], Codes(row));
        Assert.Contains(row.Findings, f => f.Message.Contains("ens5", StringComparison.Ordinal));
        Assert.Contains(row.Findings, f => f.Message.Contains("/dev/xvda1", StringComparison.Ordinal) && f.Fix.Contains("UUID=", StringComparison.Ordinal));
    }

    [Fact]
    public void Nvme_root_names_are_right_on_nitro_and_wrong_on_xen()
    {
        var report = Report([Kernel(Running, Dkms(Running))], root: "/dev/nvme0n1p1");
        Assert.DoesNotContain(ReadinessCodes.BlockDeviceNaming, Codes(ReadinessRules.Judge(Instance(typeEna: "required"), report)));
        Assert.Contains(ReadinessCodes.BlockDeviceNaming, Codes(ReadinessRules.Judge(Instance(typeEna: "supported"), report)));
    }

    [Fact]
    public void Predictable_names_without_net_ifnames_zero_get_aws_advice()
    {
        var row = ReadinessRules.Judge(Instance(), Report([Kernel(Running, Dkms(Running))], ifnames: null, iface: "ens5"));
        var finding = Assert.Single(row.Findings);
        Assert.Equal((ReadinessCodes.InterfaceNaming, Severity.Info), (finding.Code, finding.Severity));
    }

    [Theory]
    [InlineData("running", "impaired", "ConnectionLost", ReadinessVerdict.BrokenNow, ReadinessCodes.Unreachable)]
    [InlineData("running", "impaired", null, ReadinessVerdict.BrokenNow, ReadinessCodes.Unreachable)]
    [InlineData("running", "initializing", "ConnectionLost", ReadinessVerdict.BrokenNow, ReadinessCodes.Unreachable)]
    [InlineData("running", "ok", "ConnectionLost", ReadinessVerdict.NotManaged, ReadinessCodes.NoReport)]
    [InlineData("running", "ok", null, ReadinessVerdict.NotManaged, ReadinessCodes.NoReport)]
    [InlineData("stopped", "not-applicable", "ConnectionLost", ReadinessVerdict.NotManaged, ReadinessCodes.NoReport)]
    public void Without_a_report_ec2_and_ssm_decide(string state, string status, string? ping, ReadinessVerdict verdict, string code)
    {
        var row = ReadinessRules.Judge(Instance(state: state, status: status, ping: ping), null);
        Assert.Equal(verdict, row.Verdict);
        Assert.Equal(code, Assert.Single(row.Findings).Code);
        Assert.Null(row.RunningKernel);
    }

    [Fact]
    public void A_partial_report_is_judged_on_what_it_has()
    {
        var row = ReadinessRules.Judge(Instance(), new HostReport { RunningKernel = Running });
        Assert.Equal(ReadinessVerdict.Ready, row.Verdict);
        Assert.Null(row.NextKernel);
    }

    [Fact]
    public void Ssm_truncation_and_garbage_are_named_not_judged()
    {
        var cut = HostReportOutput.Read("{\"schema\":\"enaremediate.host-report/1\",\"kernels\":[{\"ker\n---Output truncated---");
        Assert.Null(cut.Report);
        Assert.Contains("24,000", cut.Problem);
        var row = ReadinessRules.Judge(Instance(), cut.Report, cut.Problem);
        Assert.Equal((ReadinessVerdict.NotManaged, ReadinessCodes.ReportTruncated), (row.Verdict, row.Findings.Single().Code));

        Assert.Contains("not valid JSON", HostReportOutput.Read("{not json").Problem);
        Assert.Contains("not an enaremediate", HostReportOutput.Read("{\"schema\":\"other\"}").Problem);
        Assert.Contains("nothing", HostReportOutput.Read("").Problem);
        var ok = HostReportOutput.Read("noise before\n{\"schema\":\"enaremediate.host-report/1\",\"runningKernel\":\"6.1.0-56-amd64\"}\n");
        Assert.Equal(Running, ok.Report?.RunningKernel);
    }

    [Fact]
    public void The_summary_counts_every_verdict_including_zeros()
    {
        var report = new InventoryReport([
            ReadinessRules.Judge(Instance(), Report([Kernel(Running, Dkms(Running))])),
            ReadinessRules.Judge(Instance(), Report([Kernel(Running, Dkms(Running)), Kernel(Next, null)])),
            ReadinessRules.Judge(Instance(ping: null), null),
        ]);
        Assert.Equal(new Dictionary<string, int> { ["total"] = 3, ["broken-now"] = 0, ["at-risk-next-reboot"] = 1, ["not-managed"] = 1, ["ready"] = 1 }, report.Summary);
    }
}
