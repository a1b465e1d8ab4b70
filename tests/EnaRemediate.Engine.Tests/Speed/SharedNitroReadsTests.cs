using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.OfflineRepair;
using EnaRemediate.Engine.Tests.Nitro;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: a fleet of offline repairs reads what it waits on together. The repair commands on
/// the rescues are followed on the shared listing of their document (not one GetCommandInvocation
/// per repair and poll).
/// </summary>
public sealed class SharedNitroReadsTests
{
    [Fact]
    public async Task RepairCommandsOnTheRescuesAreFollowedOnTheSharedListing()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet", instances: 30);
        var service = NitroEngine.Service(sim);
        var started = await service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null));
        var result = await sim.RunAsync(started.RemediationIds, service);

        Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.Recovered, $"{r.InstanceId} {r.Plan}: {r.Outcome}: {r.OutcomeReason}"));
        var repaired = result.Records.Where(r => r.Plan == "offline-repair").ToList();
        Assert.True(repaired.Count >= 10, $"only {repaired.Count} offline repairs: the fleet no longer exercises the shared listing");
        // The one output of each record longer than a listing is its last host report (ENA's
        // counters); the repair's result is read from the listing. Followed each with its own
        // GetCommandInvocation, 30 instances cost 146.
        Assert.Equal(result.Records.Count, sim.World.Counters["GetCommandInvocation"]);
        Assert.All(repaired, r => Assert.Equal("true", sim.Store.GetAsync(r.RemediationId).GetAwaiter().GetResult()!.Memo[OfflineMemo.RepairPassed]));
    }
}
