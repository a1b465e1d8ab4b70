using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Trust;

/// <summary>Record reasons and error lines carry AWS's code and words once and never a .NET type name.</summary>
public sealed class OperatorTextTests
{
    private static void AssertNoDotNetText(string text)
    {
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AnErrorReadsAsAwsOrItsOwnMessageNeverAsItsType()
    {
        Assert.Equal("StartInstances failed: InsufficientInstanceCapacity: We currently do not have sufficient capacity.",
            OperatorText.Of(new AwsCallException("StartInstances", "InsufficientInstanceCapacity", "We currently do not have sufficient capacity.")));
        Assert.Equal("unknown scenario 'x'", OperatorText.Of(new ArgumentException("unknown scenario 'x'", "nameOrPath")));
        Assert.Equal("an unexpected internal error (no details)", OperatorText.Of(new Exception()));
        foreach (var error in new Exception[] { new ArgumentNullException("path"), new InvalidOperationException(), new KeyNotFoundException() })
        {
            AssertNoDotNetText(OperatorText.Of(error));
        }
    }

    [Fact]
    public async Task ARemediationThroughAFailingCallRecordsEc2sErrorOnceAndNoTypeName()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1, arrange: w => w.Permissions.Deny("ModifyInstanceAttribute"));
        var id = sim.InstanceIds.Single();

        var (_, result) = await sim.RemediateAsync([id]);

        Assert.NotEqual(Outcomes.Recovered, Assert.Single(result.Records).Outcome);
        var record = (await sim.Store.GetLatestAsync(id))!;
        var denied = record.History.Select(h => h.Event).Where(e => e.Contains("UnauthorizedOperation", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(denied);
        Assert.All(denied, e => Assert.Single(System.Text.RegularExpressions.Regex.Matches(e, "UnauthorizedOperation")));
        Assert.All(denied, e => Assert.Single(System.Text.RegularExpressions.Regex.Matches(e, "not authorized")));
        Assert.All(record.History, h => AssertNoDotNetText(h.Event));
        AssertNoDotNetText(record.OutcomeReason ?? "");
    }
}
