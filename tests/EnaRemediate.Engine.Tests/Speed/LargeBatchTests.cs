using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Fakes;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: a batch larger than the reconciler reads whole on every Advance (256 records) is
/// advanced from its index of next looks, re-reading only the due records; what another writer
/// changes still reaches it.
/// </summary>
public sealed class LargeBatchTests
{
    private static (FakeWorld World, string[] Ids) Fleet(int size)
    {
        var world = new FakeWorld();
        var ids = Enumerable.Range(0, size).Select(i => $"i-{i:x17}").ToArray();
        foreach (var id in ids)
        {
            world.Cloud.Add(id);
        }
        return (world, ids);
    }

    [Fact]
    public async Task ALargeBatchRecoversEveryInstanceWithOneRecordEach()
    {
        var (world, ids) = Fleet(300);
        var service = world.Service();

        var result = await world.RemediateAsync(service, FakeWorld.Remediate(ids));

        Assert.Equal(300, result.Records.Count);
        Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.Recovered, $"{r.InstanceId}: {r.Outcome}: {r.OutcomeReason}"));
        Assert.Equal(ids.Order(StringComparer.Ordinal), result.Records.Select(r => r.InstanceId));
        Assert.All(ids, id => Assert.True(world.Cloud.Vms[id].Ena && world.Cloud.Vms[id].DriverInstalled, id));
    }

    [Fact]
    public async Task AnAbortByAnotherProcessReachesALargeBatchInFlight()
    {
        var (world, ids) = Fleet(300);
        var runner = world.Service();
        var remediations = (await runner.StartAsync(FakeWorld.Remediate(ids))).RemediationIds;
        for (var look = 0; look < 3; look++)
        {
            world.Time.Advance(TimeSpan.FromSeconds((await runner.AdvanceAsync(remediations)).WaitSeconds));
        }

        // Another process (another service on the same store) aborts one remediation while the batch runs.
        var aborted = await world.Service().AbortAsync(remediations[7], "operator");
        Assert.Equal("rollback", aborted!.Step);
        var (result, _) = await world.RunAsync(runner, remediations);

        var byId = result.Records.ToDictionary(r => r.RemediationId);
        Assert.NotEqual(Outcomes.Recovered, byId[remediations[7]].Outcome);
        Assert.Contains("aborted by operator", byId[remediations[7]].OutcomeReason);
        Assert.All(result.Records.Where(r => r.RemediationId != remediations[7]), r => Assert.Equal(Outcomes.Recovered, r.Outcome));
    }
}
