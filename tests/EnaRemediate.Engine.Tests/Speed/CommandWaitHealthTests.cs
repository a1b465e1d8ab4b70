using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: a record waiting for its command's result needs the result, not the instance's
/// health, so its looks skip DescribeInstanceInformation and DescribeInstanceStatus (about one
/// call per instance at 10,000); the command step after it still sends only to an agent seen Online.
/// </summary>
public sealed class CommandWaitHealthTests
{
    private const string Install = "install-driver";

    [Fact]
    public async Task LooksAtARunningInstallReadNoHealthAndTheValidationAfterItStillRuns()
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
            result = await sim.Service.AdvanceAsync(ids);
            var after = (await sim.Store.GetAsync(ids[0]))!;
            if (before.Step == Install && before.Memo.ContainsKey(MemoKeys.CommandId(Install)) && after.Step == Install)
            {
                looksWhileInstalling++;
                Assert.Equal(pings, sim.World.Counters["DescribeInstanceInformation"]);
                Assert.Equal(statuses, sim.World.Counters["DescribeInstanceStatus"]);
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
}
