using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Fakes;

namespace EnaRemediate.Engine.Tests.Simulated;

/// <summary>
/// The crash harness on the simulator: kill the engine at a random externally visible moment
/// (before/after a mutating call or a record write) of a fleet remediation, build a new engine on
/// the same store, resume, and check the invariants. Every mutation point in turn is covered on the
/// in-memory cloud (<see cref="ReconcilerOnFakeCloudTests"/>); here the points are drawn over seeds.
/// </summary>
public sealed class CrashOnSimulatorTests
{
    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 8));

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task KilledTwiceAtRandomPointsAndResumedTheFleetStillRecovers(int seed)
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 4, seed: seed);
        var before = sim.World.Instances.ToDictionary(i => i.InstanceId, i => (Reachable: i.IsReachable(sim.Clock.GetUtcNow()), i.State, i.EnaSupport));
        var random = new Random(seed);
        IReadOnlyList<string> ids = [];
        for (var crashes = 0; crashes < 2; crashes++)
        {
            var crash = new CrashSwitch(random.Next(1, 60));
            var service = sim.NewService(e => new CrashingEc2(e, crash), s => new CrashingSsm(s, crash), s => new CrashingStore(s, crash));
            try
            {
                if (ids.Count == 0)
                {
                    ids = (await service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null))).RemediationIds;
                }
                await sim.RunAsync(ids, service);
            }
            catch (SimulatedCrash)
            {
                // Killed. The store keeps what was saved; the next engine resumes from it.
            }
            if (ids.Count == 0)
            {
                // Killed while creating the records: resume them from the store like the sweep does.
                ids = (await sim.Store.ListUnfinishedAsync()).Select(r => r.RemediationId).ToList();
            }
        }
        var missing = sim.InstanceIds.Where(i => sim.Store.HistoryAsync(i).Result.Count == 0).ToList();
        if (missing.Count > 0)
        {
            ids = [.. ids, .. (await sim.NewService().StartAsync(new RemediationRequest(missing, RemediationMode.Remediate, false, "test", null))).RemediationIds];
        }
        var result = await sim.RunAsync(ids, sim.NewService());

        Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.Recovered, $"seed {seed}: {r.InstanceId}: {r.Outcome}: {r.OutcomeReason}"));
        InvariantChecks.AssertNeverWorse(sim, before, result);
        await InvariantChecks.AssertNoOverlappingHostCommandsAsync(sim);
        foreach (var id in sim.InstanceIds)
        {
            var records = await sim.Store.HistoryAsync(id);
            Assert.Single(records);
            Assert.Contains(records[0].UndoLog, u => u.Action == UndoActions.StartAgain);
        }
    }
}
