using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Triage;
using EnaRemediate.Engine.Tests.Nitro;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: an attribute of a stopped instance (enaSupport, the instance type, DeleteOnTermination)
/// shows at once, so the look that changes it also sees it changed and makes the next call: the
/// fallback starts in the look that turned ENA off, and the type swap changes the type, turns ENA
/// off and starts in one look (each was a look interval before). Real SDK against the simulator.
/// </summary>
public sealed class AttributeChangeLookTests
{
    [Fact]
    public async Task TheFallbackStartsInTheLookThatChangedEnaSupport()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 8);
        var (started, result) = await sim.RemediateAsync(sim.InstanceIds);

        Assert.All(result.Records, r => Assert.Equal(Outcomes.Recovered, r.Outcome));
        foreach (var id in started.RemediationIds)
        {
            var record = (await sim.Store.GetAsync(id))!;
            AssertSameLook(record, [("ena-off", "setting enaSupport off"), ("start-without-ena", "starting")]);
            AssertSameLook(record, [("ena-on", "setting enaSupport on"), ("start-with-ena", "starting")]);
        }
    }

    [Fact]
    public async Task TheTypeSwapChangesTheTypeTurnsEnaOffAndStartsInOneLook()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet", instances: 10);
        var (started, _) = await sim.RemediateAsync(sim.InstanceIds, NitroEngine.Service(sim));

        var swaps = (await Task.WhenAll(started.RemediationIds.Select(async id => (await sim.Store.GetAsync(id))!)))
            .Where(r => r.Plan == PlanNames.TypeSwap).ToList();
        Assert.NotEmpty(swaps);
        foreach (var record in swaps)
        {
            Assert.True(record.Outcome == Outcomes.Recovered, $"{record.InstanceId}: {record.Outcome}: {record.OutcomeReason}");
            AssertSameLook(record, [("set-stand-in-type", "setting the instance type"), ("ena-off", "setting enaSupport off"), ("start-on-stand-in", "starting")]);
            AssertSameLook(record, [("restore-type", "setting the instance type"), ("ena-on", "setting enaSupport on"), ("start-with-ena", "starting")]);
        }
    }

    /// <summary>The events (step, event prefix) were all decided at the same moment: one look.</summary>
    private static void AssertSameLook(RemediationRecord record, (string Step, string Event)[] events)
    {
        var at = events.Select(e => record.History.First(h => h.Step == e.Step && h.Event.StartsWith(e.Event, StringComparison.Ordinal)).At).ToList();
        Assert.True(at.Distinct().Count() == 1,
            $"{record.InstanceId}: {string.Join(", ", events.Zip(at, (e, t) => $"{e.Step} at {t:HH:mm:ss}"))}");
    }
}
