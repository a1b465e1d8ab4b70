using System.Text.Json.Nodes;
using CsCheck;
using EnaRemediate.Core.Engine;
using EnaRemediate.Functions.Intake;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Intake;

/// <summary>
/// Issue 11, intake: events that are not actionable alarms are ignored with a reason (a 200, so
/// Lambda does not retry them), alarms from another Region are refused, "force" is read, and no
/// string whatever makes it throw.
/// </summary>
public sealed class IntakeTrustTests
{
    private static readonly TriggerNormaliser InUsEast1 = new(RemediationMode.Remediate, "us-east-1");
    private static readonly TriggerNormaliser InEuWest1 = new(RemediationMode.Remediate, "eu-west-1");

    [Theory]
    [InlineData("eventbridge-alarm-configuration-change.json", "configuration change")]
    [InlineData("eventbridge-ec2-state-change.json", "state change")]
    [InlineData("eventbridge-health-event.json", "AWS Health")]
    [InlineData("eventbridge-back-to-ok.json", "only ALARM")]
    [InlineData("eventbridge-insufficient-data.json", "only ALARM")]
    public void NonActionableEventsAreIgnoredWithTheirReason(string fixture, string reason)
    {
        var decision = InUsEast1.Normalise(Fixtures.Event(fixture));

        Assert.Equal(IntakeOutcome.Ignored, decision.Outcome);
        Assert.Contains(reason, decision.Reason);
    }

    [Theory]
    [InlineData("eventbridge-instance-check-alarm.json")]
    [InlineData("alarm-action-lambda.json")]
    [InlineData("eventbridge-wrapped-alarm-data.json")]
    [InlineData("sns-wrapped-alarm.json")]
    [InlineData("sns-metrics-alarm.json")]
    public void AnAlarmFromAnotherRegionIsRefusedAndOneFromThisRegionAccepted(string fixture)
    {
        var elsewhere = InEuWest1.Normalise(Fixtures.Event(fixture));
        Assert.Equal(IntakeOutcome.Rejected, elsewhere.Outcome);
        Assert.Contains("us-east-1", elsewhere.Reason);
        Assert.Contains("eu-west-1", elsewhere.Reason);

        Assert.Equal(IntakeOutcome.Accepted, InUsEast1.Normalise(Fixtures.Event(fixture)).Outcome);
    }

    [Fact]
    public void AMetricsAlarmOnTheSystemCheckIsNotAnInstanceCheck()
    {
        var payload = Fixtures.Event("sns-metrics-alarm.json").Replace("StatusCheckFailed_Instance", "StatusCheckFailed_System");
        Assert.Equal(IntakeOutcome.Ignored, InUsEast1.Normalise(payload).Outcome);
    }

    [Theory]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"],"force":true}""", true)]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"],"force":"true"}""", true)]
    [InlineData("""{"instanceIds":["i-0123456789abcdef0"]}""", false)]
    public void ForceIsReadFromConsoleAndRunbookPayloads(string payload, bool force)
    {
        var decision = InUsEast1.Normalise(payload);
        Assert.Equal(IntakeOutcome.Accepted, decision.Outcome);
        Assert.Equal(force, decision.Request!.Force);
    }

    [Fact]
    public void AForceThatIsNotABooleanIsRejected()
    {
        var decision = InUsEast1.Normalise("""{"instanceIds":["i-0123456789abcdef0"],"force":"yes please"}""");
        Assert.Equal(IntakeOutcome.Rejected, decision.Outcome);
        Assert.Contains("force must be true or false", decision.Reason);
    }

    [Theory]
    [InlineData("{\"instanceIds\":[\"\ud800\"]}")]
    [InlineData("{\"instanceIds\":[\"\\ud800\"]}")]
    [InlineData("{\"detail-type\":\"\\udc00\",\"source\":\"x\"}")]
    [InlineData("{\"alarmData\":{\"alarmName\":\"\\ud800\",\"state\":{\"value\":\"ALARM\"}}}")]
    [InlineData("\ud800")]
    public void LoneSurrogatesAreRejectedNotThrown(string payload)
    {
        var decision = InUsEast1.Normalise(payload);
        Assert.NotEqual(IntakeOutcome.Accepted, decision.Outcome);
        Assert.False(decision.Reason.Any(char.IsSurrogate), decision.Reason);
    }

    /// <summary>Any string, and any real event with a surrogate-laden string put anywhere: an answer, never an exception.</summary>
    [Fact]
    public void NoStringMakesIntakeThrow()
    {
        var samples = Fixtures.EventNames.Select(Fixtures.Event).ToArray();
        var surrogates = Gen.Char['\ud800', '\udfff'].Array[1, 4].Select(c => new string(c));
        Gen.OneOf(Gen.String, surrogates, Gen.Select(Gen.Int[0, samples.Length - 1], Gen.Int[0, 5000], surrogates)
                .Select((sample, at, text) => samples[sample].Insert(Math.Min(at, samples[sample].Length), text)))
            .Sample(payload =>
            {
                var decision = InUsEast1.Normalise(payload);
                Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
                Assert.Equal(decision.Outcome == IntakeOutcome.Accepted, decision.Request is not null);
            }, iter: 3000);
        // The hostile value as a JSON string member: exercises GetString on it too.
        Gen.Select(Gen.Int[0, samples.Length - 1], surrogates).Sample((sample, text) =>
        {
            var root = JsonNode.Parse(samples[sample])!.AsObject();
            root["source"] = text;
            root["detail-type"] = text;
            Assert.NotNull(InUsEast1.Normalise(root.ToJsonString()).Reason);
        }, iter: 500);
    }
}
