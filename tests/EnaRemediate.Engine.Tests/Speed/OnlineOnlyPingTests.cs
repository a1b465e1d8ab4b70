using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Simulated;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: a wait for the SSM agent asks SSM only for the Online agents (PingStatus=Online beside
/// the ids), so an agent that is not back yet costs no entry in the answer's pages; the look that
/// fails the wait on its timeout reads the whole ping, so the failure still names it. Real SDK
/// against the simulator, counting the answers that list each instance.
/// </summary>
public sealed class OnlineOnlyPingTests
{
    private const string FirstBootWait = "await-healthy-without-ena";

    [Fact]
    public async Task AnAgentThatNeverComesBackIsNotListedWhileWaitedForAndItsTimeoutNamesItsExactPing()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1, arrange: w => w.Faults.For(w.Instances[0].InstanceId).SsmAgentNeverOnline = true);
        var instanceId = sim.InstanceIds.Single();
        var remediationId = (await sim.Service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null))).RemediationIds.Single();
        var (askedWhileWaiting, listedAtTimeout) = (0L, false);
        AdvanceResult result;
        for (var look = 0; ; look++)
        {
            Assert.True(look < 3000, "the remediation did not finish");
            var before = (await sim.Store.GetAsync(remediationId))!;
            var (asked, listed) = (sim.World.Counters["DescribeInstanceInformation", instanceId], sim.World.Counters[RequestCounters.PingListed, instanceId]);
            result = await sim.Service.AdvanceAsync([remediationId]);
            var after = (await sim.Store.GetAsync(remediationId))!;
            var listedNow = sim.World.Counters[RequestCounters.PingListed, instanceId] > listed;
            if (before.Step == FirstBootWait && after.Step == FirstBootWait)
            {
                askedWhileWaiting += sim.World.Counters["DescribeInstanceInformation", instanceId] - asked;
                Assert.False(listedNow, "a look that left the agent waiting listed its ConnectionLost entry");
            }
            else if (before.Step == FirstBootWait)
            {
                listedAtTimeout = listedNow;
            }
            if (result.Done)
            {
                break;
            }
            sim.Clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }

        var record = Assert.Single(result.Records);
        Assert.Equal(Outcomes.RolledBack, record.Outcome);
        Assert.True(askedWhileWaiting > 0, "the wait never asked SSM about the agent");
        Assert.True(listedAtTimeout, "the look that ended the wait did not read the agent's whole ping");
        Assert.Contains("SSM ConnectionLost", record.OutcomeReason, StringComparison.Ordinal);
        var history = (await sim.Store.GetAsync(remediationId))!.History;
        Assert.Contains(history, h => h.Step == FirstBootWait && h.Event.Contains("SSM not Online", StringComparison.Ordinal));
    }
}
