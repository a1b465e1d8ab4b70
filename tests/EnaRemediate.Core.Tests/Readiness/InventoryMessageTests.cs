using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Core.Tests.Readiness;

/// <summary>The one notification per scheduled run: counts in the subject, every instance needing attention in the body.</summary>
public sealed class InventoryMessageTests
{
    private static InstanceReadiness Row(string id, ReadinessVerdict verdict, params ReadinessFinding[] findings) => new()
    {
        InstanceId = id,
        InstanceType = "m5.large",
        NextKernel = "6.1.0-57-amd64",
        Verdict = verdict,
        Findings = findings,
    };

    private static ReadinessFinding Finding(string code, ReadinessImpact impact, Severity severity = Severity.Error) =>
        new(code, severity, impact, "6.1.0-57-amd64", $"{code} message", $"{code} fix");

    [Fact]
    public void The_body_lists_broken_then_at_risk_instances_with_their_worst_finding_and_leaves_ready_ones_out()
    {
        var report = new InventoryReport([
            Row("i-00000000000000001", ReadinessVerdict.BrokenNow, Finding("unreachable", ReadinessImpact.Now, Severity.Critical)),
            Row("i-00000000000000002", ReadinessVerdict.AtRiskNextReboot,
                Finding("block_device_naming", ReadinessImpact.Advice, Severity.Warning), Finding("module_missing", ReadinessImpact.NextReboot, Severity.Critical)),
            Row("i-00000000000000003", ReadinessVerdict.Ready, Finding("interface_naming", ReadinessImpact.Advice, Severity.Info)),
        ]);

        var body = InventoryMessage.Body(report, new DateTimeOffset(2026, 11, 27, 6, 0, 0, TimeSpan.Zero));

        Assert.Equal("EnaRemediate inventory: 1 at risk, 1 broken now (of 3)", InventoryMessage.Subject(report));
        Assert.Contains("2026-11-27 06:00 UTC: 3 instance(s): 1 broken-now, 1 at-risk-next-reboot, 0 not-managed, 1 ready.", body);
        Assert.True(body.IndexOf("i-00000000000000001", StringComparison.Ordinal) < body.IndexOf("i-00000000000000002", StringComparison.Ordinal));
        Assert.Contains("module_missing message", body);
        Assert.DoesNotContain("block_device_naming message", body);
        Assert.DoesNotContain("i-00000000000000003", body);
        Assert.Contains("module_missing fix", body);
    }

    [Fact]
    public void A_huge_fleet_is_cut_with_a_count_and_the_subject_stays_within_snss_limit()
    {
        var rows = Enumerable.Range(0, InventoryMessage.MaxListed + 50)
            .Select(i => Row($"i-{i:x17}", ReadinessVerdict.AtRiskNextReboot, Finding("module_missing", ReadinessImpact.NextReboot)))
            .ToList();
        var report = new InventoryReport(rows);

        var body = InventoryMessage.Body(report, DateTimeOffset.UnixEpoch);

        Assert.Contains("… and 50 more", body);
        Assert.DoesNotContain(rows[^1].InstanceId, body);
        Assert.True(InventoryMessage.Subject(report).Length <= 100);
    }

    [Fact]
    public void The_auto_fix_is_told_in_the_same_message_sent_refused_and_left_alone()
    {
        var report = new InventoryReport([Row("i-00000000000000002", ReadinessVerdict.AtRiskNextReboot, Finding("module_missing", ReadinessImpact.NextReboot, Severity.Critical))]);
        var fix = new AutoFixRun(false, ["i-00000000000000002", "i-00000000000000004"],
            [new("i-00000000000000002", "cmd-1", null), new("i-00000000000000004", null, "SendCommand refused the batch: InvalidInstanceId: not online")],
            [new FixSkip("i-00000000000000005", "remediation r-1 holds it")], null);

        var body = InventoryMessage.Body(report, DateTimeOffset.UnixEpoch, fix);

        Assert.Equal("EnaRemediate inventory: 1 at risk, 0 broken now (of 1); driver install sent to 1", InventoryMessage.Subject(report, fix));
        Assert.Contains("Auto-fix: EnaRemediate-InstallDriver", body);
        Assert.Contains("  i-00000000000000002: command cmd-1", body);
        Assert.Contains("  i-00000000000000004: not sent: SendCommand refused the batch", body);
        Assert.Contains("  left alone: i-00000000000000005: remediation r-1 holds it", body);
    }

    [Fact]
    public void A_dry_run_or_a_configuration_problem_says_nothing_was_sent()
    {
        var report = new InventoryReport([]);
        Assert.Contains("Auto-fix (dry run, nothing sent): would install the managed ENA driver on 1 at-risk opted-in instance(s): i-1",
            InventoryMessage.Body(report, DateTimeOffset.UnixEpoch, new AutoFixRun(true, ["i-1"], [], [], null)));
        Assert.Contains("Auto-fix could not run: Sha256 is not set. Nothing was sent.",
            InventoryMessage.Body(report, DateTimeOffset.UnixEpoch, new AutoFixRun(false, ["i-1"], [], [], "Sha256 is not set")));
        Assert.DoesNotContain("Auto-fix", InventoryMessage.Body(report, DateTimeOffset.UnixEpoch));
        Assert.Equal("EnaRemediate inventory: 0 at risk, 0 broken now (of 0)", InventoryMessage.Subject(report, new AutoFixRun(false, [], [], [], null)));
    }
}
