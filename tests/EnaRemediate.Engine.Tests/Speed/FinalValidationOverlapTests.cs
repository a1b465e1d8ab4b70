using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.Fallback;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13 (single-instance overhead): with ENA back on, the agent Online means ena carries the
/// network, so the final validation runs then, while EC2's status checks settle, instead of after
/// them; the remediation still ends recovered only once both checks are ok.
/// </summary>
public sealed class FinalValidationOverlapTests
{
    [Fact]
    public async Task TheFinalReportIsCollectedBeforeTheStatusChecksPassAndTheRecordWaitsForThem()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1);
        var (started, result) = await sim.RemediateAsync(sim.InstanceIds);

        Assert.Equal(Outcomes.Recovered, Assert.Single(result.Records).Outcome);
        var history = (await sim.Store.GetAsync(started.RemediationIds[0]))!.History;
        var validated = history.First(h => h.Step == FallbackPlan.ValidateFinalStep && h.Event.StartsWith("running ", StringComparison.Ordinal)).At;
        var healthy = history.Last(h => h.Step == "await-healthy-with-ena" && h.Event.Contains("status checks ok", StringComparison.Ordinal)).At;
        Assert.True(validated < healthy, $"validate-final sent at {validated:O}, checks ok at {healthy:O}");
        var instance = sim.World.Instances.Single();
        var checksOk = instance.Timeline.Where(e => e.Phase == Simulator.World.TimelineEntry.Start).Last().ChecksAt;
        Assert.NotNull(checksOk);
        Assert.True(validated < checksOk, $"validate-final sent at {validated:O}, EC2's checks ok at {checksOk:O}");
        Assert.True(healthy >= checksOk);
    }
}
