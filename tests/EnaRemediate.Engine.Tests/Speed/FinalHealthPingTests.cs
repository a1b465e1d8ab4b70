using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: the last health wait (both status checks ok and the agent Online, after the final
/// validation ran on that agent) reads the agent's ping only in the look whose checks pass; the
/// looks while the checks settle read the checks alone. Real SDK against the simulator, counting
/// the DescribeInstanceInformation requests that name each instance.
/// </summary>
public sealed class FinalHealthPingTests
{
    private const string FinalWait = "await-healthy-with-ena";

    [Fact]
    public async Task TheFinalWaitPingsTheAgentOnlyInTheLookItsChecksPass()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 4);
        var ids = (await sim.Service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null))).RemediationIds;
        var waitingLooks = 0;
        AdvanceResult result;
        for (var look = 0; ; look++)
        {
            Assert.True(look < 3000, "the remediation did not finish");
            var before = (await Task.WhenAll(ids.Select(async id => (await sim.Store.GetAsync(id))!))).Where(r => r.Step == FinalWait).ToList();
            var pings = before.ToDictionary(r => r.InstanceId, r => sim.World.Counters["DescribeInstanceInformation", r.InstanceId]);
            result = await sim.Service.AdvanceAsync(ids);
            foreach (var record in before)
            {
                var after = (await sim.Store.GetAsync(record.RemediationId))!;
                var pinged = sim.World.Counters["DescribeInstanceInformation", record.InstanceId] > pings[record.InstanceId];
                if (after.Step == FinalWait)
                {
                    waitingLooks += after.Version != record.Version ? 1 : 0;
                    Assert.False(pinged, $"{record.InstanceId}: its agent's ping was read in a look that left it waiting for the checks");
                }
                else
                {
                    Assert.True(pinged, $"{record.InstanceId}: it left the final wait ({after.Step}) without its agent seen Online");
                }
            }
            if (result.Done)
            {
                break;
            }
            sim.Clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }

        Assert.True(waitingLooks > 0, "no look fell within the final wait");
        Assert.All(result.Records, r => Assert.Equal(Outcomes.Recovered, r.Outcome));
        var waits = (await sim.Store.GetAsync(ids[0]))!.History.Where(h => h.Step == FinalWait && h.Event.StartsWith("waiting", StringComparison.Ordinal)).ToList();
        Assert.Contains(waits, h => h.Event.Contains("SSM checked once the status checks pass", StringComparison.Ordinal));
    }
}
