using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: a record waiting for its command's result needs the result, not the instance: its
/// looks skip DescribeInstances, DescribeInstanceInformation and DescribeInstanceStatus (the
/// description is most of the engine's CPU at 10,000); the look that finds the command finished
/// reads the state, the checks and the ping the validation after it decides from (a state-only
/// look: no description), and that step still sends only to an agent seen Online.
/// </summary>
public sealed class CommandWaitHealthTests
{
    private const string Install = "install-driver";

    [Fact]
    public async Task LooksAtARunningInstallReadNeitherTheInstanceNorItsHealthAndTheValidationAfterItStillRuns()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1);
        var ids = (await sim.Service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null))).RemediationIds;
        var looksWhileInstalling = 0;
        AdvanceResult result;
        for (var look = 0; ; look++)
        {
            Assert.True(look < 2000, "the remediation did not finish");
            var before = (await sim.Store.GetAsync(ids[0]))!;
            var pings = sim.World.Counters["DescribeInstanceInformation"];
            var statuses = sim.World.Counters["DescribeInstanceStatus"];
            var descriptions = sim.World.Counters["DescribeInstances"];
            result = await sim.Service.AdvanceAsync(ids);
            var after = (await sim.Store.GetAsync(ids[0]))!;
            if (before.Step == Install && before.Memo.ContainsKey(MemoKeys.CommandId(Install)) && after.Step == Install)
            {
                looksWhileInstalling++;
                Assert.Equal(pings, sim.World.Counters["DescribeInstanceInformation"]);
                Assert.Equal(statuses, sim.World.Counters["DescribeInstanceStatus"]);
                Assert.Equal(descriptions, sim.World.Counters["DescribeInstances"]);
            }
            if (before.Step == Install && after.Step != Install)
            {
                // The look that found the install done read what the step it moved on to decides from: the
                // state and the checks (DescribeInstanceStatus) and the agent's ping; not the description.
                Assert.True(sim.World.Counters["DescribeInstanceStatus"] > statuses, "the record left the install without reading the instance's state and checks");
                Assert.True(sim.World.Counters["DescribeInstanceInformation"] > pings, "the record left the install without reading the agent's ping");
                Assert.Equal(descriptions, sim.World.Counters["DescribeInstances"]);
            }
            if (result.Done)
            {
                break;
            }
            sim.Clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }

        Assert.True(looksWhileInstalling > 0, "no look fell within the install");
        var record = Assert.Single(result.Records);
        Assert.Equal(Outcomes.Recovered, record.Outcome);
        Assert.Contains((await sim.Store.GetAsync(ids[0]))!.History, h => h.Step == "validate-install" && h.Event.StartsWith("running ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnInstallThatTimesOutWhileItsLooksSkipTheInstanceRollsBackFromAFreshDescription()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1);
        // The install (61 s at the fastest) outlives a 30 s command timeout: the step fails in a look that did not describe the instance.
        var service = EngineFactory.Create(new AwsConnection("us-east-1", sim.Host.Endpoint.ToString(), new BasicAWSCredentials("test", "test")), sim.Store,
            SimulatedEngine.Options with { CommandTimeout = TimeSpan.FromSeconds(30) }, sim.Clock);
        var id = sim.InstanceIds[0];
        var (_, result) = await sim.RemediateAsync([id], service);

        var summary = Assert.Single(result.Records);
        Assert.True(summary.Outcome == Outcomes.RolledBack, $"{summary.Outcome}: {summary.OutcomeReason}");
        Assert.Contains("did not finish within", summary.OutcomeReason);
        var record = (await sim.Store.GetAsync(summary.RemediationId))!;
        var failedAt = record.History.First(h => h.Event.Contains("rolling back", StringComparison.Ordinal));
        Assert.Equal(Install, failedAt.Step);
        // The rollback decided first in a later look, on the instance as EC2 described it then.
        Assert.All(record.History.Where(h => h.Step == "rollback"), h => Assert.True(h.At >= failedAt.At, h.Event));
        Assert.DoesNotContain(record.History, h => h.Event.Contains("not-found", StringComparison.Ordinal));
        var instance = sim.World.Instance(id);
        // Left reachable on netfront (the driver never installed), which the rollback could only say from a look at its status checks.
        Assert.Equal(("running", false), (instance.State, instance.EnaSupport));
        Assert.Contains("passing its status checks", summary.OutcomeReason);
    }
}
