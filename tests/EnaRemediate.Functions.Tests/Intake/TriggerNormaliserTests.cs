using EnaRemediate.Core.Engine;
using EnaRemediate.Functions.Intake;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Intake;

/// <summary>Every trigger shape, as AWS documents it, through the normaliser.</summary>
public sealed class TriggerNormaliserTests
{
    private static readonly TriggerNormaliser Diagnosing = new(RemediationMode.Diagnose);

    public static TheoryData<string, IntakeOutcome, string[], string> Expectations => new()
    {
        { "eventbridge-instance-check-alarm.json", IntakeOutcome.Accepted, ["i-0123456789abcdef0"], "alarm" },
        { "eventbridge-combined-check-alarm.json", IntakeOutcome.Accepted, ["i-0123456789abcdef0"], "alarm" },
        { "alarm-action-lambda.json", IntakeOutcome.Accepted, ["i-0abcdef1234567890"], "alarm" },
        { "sns-wrapped-alarm.json", IntakeOutcome.Accepted, ["i-00000000deadbeef1"], "alarm" },
        { "console-test.json", IntakeOutcome.Accepted, ["i-0123456789abcdef0", "i-1a2b3c4d"], "console" },
        { "runbook-payload.json", IntakeOutcome.Accepted, ["i-0123456789abcdef0", "i-0abcdef1234567890"], "runbook" },
        { "eventbridge-back-to-ok.json", IntakeOutcome.Ignored, [], "" },
        { "eventbridge-insufficient-data.json", IntakeOutcome.Ignored, [], "" },
        { "eventbridge-cpu-alarm.json", IntakeOutcome.Ignored, [], "" },
        { "eventbridge-system-check-alarm.json", IntakeOutcome.Ignored, [], "" },
        { "eventbridge-metric-math-alarm.json", IntakeOutcome.Ignored, [], "" },
        { "eventbridge-composite-alarm.json", IntakeOutcome.Ignored, [], "" },
        { "eventbridge-alarm-configuration-change.json", IntakeOutcome.Ignored, [], "" },
        { "eventbridge-ec2-state-change.json", IntakeOutcome.Ignored, [], "" },
        { "eventbridge-health-event.json", IntakeOutcome.Ignored, [], "" },
        { "eventbridge-wrapped-alarm-data.json", IntakeOutcome.Accepted, ["i-0abcdef1234567890"], "alarm" },
        { "sns-metrics-alarm.json", IntakeOutcome.Accepted, ["i-00000000deadbeef2"], "alarm" },
    };

    [Theory]
    [MemberData(nameof(Expectations))]
    public void Each_documented_shape_is_understood(string fixture, IntakeOutcome outcome, string[] instanceIds, string trigger)
    {
        var decision = Diagnosing.Normalise(Fixtures.Event(fixture));
        Assert.Equal(outcome, decision.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
        if (outcome == IntakeOutcome.Accepted)
        {
            Assert.Equal(instanceIds, decision.Request!.InstanceIds);
            Assert.Equal(trigger, decision.Request.Trigger);
        }
        else
        {
            Assert.Null(decision.Request);
        }
    }

    [Fact]
    public void Every_fixture_has_an_expectation()
    {
        var covered = Expectations.Select(row => (string)row[0]).ToHashSet();
        Assert.Equal(Fixtures.EventNames.ToHashSet(), covered);
    }

    [Fact]
    public void Alarms_use_the_deployment_default_mode_and_never_dry_run()
    {
        var remediating = new TriggerNormaliser(RemediationMode.Remediate).Normalise(Fixtures.Event("eventbridge-instance-check-alarm.json"));
        Assert.Equal(RemediationMode.Remediate, remediating.Request!.Mode);
        Assert.False(remediating.Request.DryRun);
        Assert.Equal(RemediationMode.Diagnose, Diagnosing.Normalise(Fixtures.Event("alarm-action-lambda.json")).Request!.Mode);
        Assert.Equal("eventbridge:web-1-instance-check", remediating.Request.TriggerDetail);
    }

    [Fact]
    public void Console_and_runbook_carry_their_mode_and_dry_run()
    {
        var console = Diagnosing.Normalise(Fixtures.Event("console-test.json")).Request!;
        Assert.Equal((RemediationMode.Remediate, true), (console.Mode, console.DryRun));
        var runbook = new TriggerNormaliser(RemediationMode.Remediate).Normalise(Fixtures.Event("runbook-payload.json")).Request!;
        Assert.Equal((RemediationMode.Diagnose, false), (runbook.Mode, runbook.DryRun));
        Assert.Equal("4105a4fc-f944-11e6-9d32-0123456789ab", runbook.TriggerDetail);
    }

    [Fact]
    public void A_console_or_runbook_request_may_choose_the_route_of_an_ena_required_type()
    {
        var swap = Diagnosing.Normalise("""{"instanceIds":["i-0123456789abcdef0"],"mode":"remediate","route":"offline-repair"}""").Request!;
        Assert.Equal("offline-repair", swap.PlanOptions[RemediationService.RouteOption]);
        var none = Diagnosing.Normalise("""{"instanceIds":["i-0123456789abcdef0"],"route":""}""").Request!;
        Assert.Empty(none.PlanOptions);
    }

    [Theory]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"],"asgStandby":true}""", true)]
    [InlineData("""{"source":"enaremediate.runbook","instanceIds":"i-0123456789abcdef0","asgStandby":"true"}""", true)]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"],"asgStandby":false}""", false)]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"]}""", false)]
    public void Consent_to_Standby_is_carried_only_when_given(string payload, bool consent)
    {
        var request = Diagnosing.Normalise(payload).Request!;
        Assert.Equal(consent, request.PlanOptions.TryGetValue(Core.Triage.AutoScalingRule.ConsentOption, out var value) && value == "true");
    }

    [Theory]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"],"route":"sideways"}""", "route must be")]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"],"route":["type-swap"]}""", "route must be")]
    [InlineData("""{"instanceIds":["i-123"]}""", "not an EC2 instance id")]
    [InlineData("""{"instanceIds":["I-0123456789ABCDEF0"]}""", "not an EC2 instance id")]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0; rm -rf /"]}""", "not an EC2 instance id")]
    [InlineData("""{"instanceIds":[]}""", "empty")]
    [InlineData("""{"instanceIds":[42]}""", "strings")]
    [InlineData("""{"instanceIds":{"a":1}}""", "list of instance ids")]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"],"mode":"destroy"}""", "mode must be")]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"],"dryRun":"maybe"}""", "dryRun must be")]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"],"asgStandby":"sure"}""", "asgStandby must be")]
    [InlineData("""[1,2,3]""", "JSON object")]
    [InlineData("""not json""", "not valid JSON")]
    [InlineData("""{"hello":"world"}""", "Unrecognised event")]
    [InlineData("""{"Records":[]}""", "non-empty array")]
    [InlineData("""{"detail-type":"CloudWatch Alarm State Change","detail":"x"}""", "no alarm object")]
    public void Bad_input_is_rejected_with_a_reason_that_says_what_is_wrong(string payload, string reasonPart)
    {
        var decision = Diagnosing.Normalise(payload);
        Assert.Equal(IntakeOutcome.Rejected, decision.Outcome);
        Assert.Contains(reasonPart, decision.Reason);
        Assert.Null(decision.Request);
    }

    /// <summary>n distinct valid ids, 17 hex digits each (the longest EC2 issues).</summary>
    private static IEnumerable<string> ManyIds(int n) => Enumerable.Range(0, n).Select(i => $"i-{i:x17}");

    [Fact]
    public void A_request_above_one_workflows_records_is_rejected_with_the_ceiling_and_nothing_to_start()
    {
        Assert.Equal(4000, InstanceIds.MaxPerRequest);
        var ids = ManyIds(InstanceIds.MaxPerRequest + 1).Select(id => $"\"{id}\"");
        var decision = Diagnosing.Normalise($$"""{"instanceIds":[{{string.Join(",", ids)}}]}""");
        Assert.Equal(IntakeOutcome.Rejected, decision.Outcome);
        Assert.Null(decision.Request);
        Assert.StartsWith("4001 instances requested; at most 4000 per request (one workflow's records). Nothing was started", decision.Reason);
    }

    /// <summary>One SNS delivery of n alarm notifications, each for its own instance and alarm.</summary>
    private static string SnsRecords(int n)
    {
        var one = System.Text.Json.Nodes.JsonNode.Parse(Fixtures.Event("sns-wrapped-alarm.json"))!["Records"]![0]!.ToJsonString();
        var records = ManyIds(n).Select(id => one.Replace("i-00000000deadbeef1", id).Replace("web-3-instance-check", $"check-{id}"));
        return $$"""{"Records":[{{string.Join(",", records)}}]}""";
    }

    [Fact]
    public void Alarm_notifications_naming_more_than_one_workflows_records_are_rejected()
    {
        var decision = Diagnosing.Normalise(SnsRecords(InstanceIds.MaxPerRequest + 1));
        Assert.Equal(IntakeOutcome.Rejected, decision.Outcome);
        Assert.StartsWith("The notifications name 4001 instances; at most 4000 per request", decision.Reason);
    }

    [Fact]
    public void Alarm_notifications_naming_one_workflows_records_are_one_request_whose_reason_and_trigger_stay_short()
    {
        var decision = Diagnosing.Normalise(SnsRecords(InstanceIds.MaxPerRequest));
        Assert.True(decision.Outcome == IntakeOutcome.Accepted, decision.Reason);
        Assert.Equal(InstanceIds.MaxPerRequest, decision.Request!.InstanceIds.Count);
        // Each record keeps the trigger detail and the workflow's state keeps the reason: ten named, the rest counted.
        Assert.EndsWith("and 3990 more (4000 alarms)", decision.Request.TriggerDetail);
        Assert.EndsWith("and 3990 more (4000 notifications)", decision.Reason);
        Assert.True(decision.Reason.Length < 2000 && decision.Request.TriggerDetail!.Length < 600, decision.Reason);
    }

    [Theory]
    [InlineData(1000, false)]
    [InlineData(1000, true)]
    [InlineData(4000, false)]
    [InlineData(4000, true)]
    public void A_named_request_up_to_one_workflows_records_is_one_request_with_a_short_reason(int count, bool asRunbookString)
    {
        var ids = ManyIds(count).ToList();
        var payload = asRunbookString
            ? $$"""{"source":"enaremediate.runbook","instanceIds":"{{string.Join(",", ids)}}","mode":"remediate","dryRun":"false","automationExecutionId":"4105a4fc"}"""
            : $$"""{"instanceIds":[{{string.Join(",", ids.Select(id => $"\"{id}\""))}}],"mode":"remediate"}""";
        var decision = Diagnosing.Normalise(payload);
        Assert.True(decision.Outcome == IntakeOutcome.Accepted, decision.Reason);
        Assert.Equal(ids, decision.Request!.InstanceIds);
        Assert.Equal(asRunbookString ? "runbook" : "console", decision.Request.Trigger);
        // The reason rides in the workflow's state beside every record id: ten ids named, the rest counted.
        Assert.Contains($"{ids[9]} and {count - 10} more ({count} instances)", decision.Reason);
        Assert.DoesNotContain(ids[10], decision.Reason);
        Assert.True(decision.Reason.Length < 400, decision.Reason);
    }

    [Fact]
    public void An_alarm_with_a_hostile_instance_dimension_is_rejected_and_the_value_is_quoted_safely()
    {
        var payload = Fixtures.Event("eventbridge-instance-check-alarm.json").Replace("i-0123456789abcdef0", "i-0123456789abcdef0\\n$(reboot)");
        var decision = Diagnosing.Normalise(payload);
        Assert.Equal(IntakeOutcome.Rejected, decision.Outcome);
        Assert.DoesNotContain('\n', decision.Reason);
    }
}
