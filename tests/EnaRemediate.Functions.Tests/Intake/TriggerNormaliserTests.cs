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

    [Fact]
    public void Too_many_instances_are_rejected()
    {
        var ids = Enumerable.Range(0, InstanceIds.MaxPerRequest + 1).Select(i => $"\"i-{i:x8}\"");
        var decision = Diagnosing.Normalise($$"""{"instanceIds":[{{string.Join(",", ids)}}]}""");
        Assert.Equal(IntakeOutcome.Rejected, decision.Outcome);
        Assert.Contains("at most", decision.Reason);
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
