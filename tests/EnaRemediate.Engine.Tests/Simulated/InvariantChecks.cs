using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Engine.Tests.Simulated;

/// <summary>The safety invariants every remediation on the simulator must keep.</summary>
internal static class InvariantChecks
{
    public static void AssertNeverWorse(SimulatedEngine sim, IReadOnlyDictionary<string, (bool Reachable, string State, bool EnaSupport)> before, AdvanceResult result)
    {
        var now = sim.Clock.GetUtcNow();
        var records = sim.Store.ListUnfinishedAsync().GetAwaiter().GetResult();
        Assert.Empty(records);
        var outcomes = result.Records.ToDictionary(r => r.InstanceId);
        foreach (var instance in sim.World.Instances)
        {
            var found = before[instance.InstanceId];
            var after = (Reachable: instance.IsReachable(now), instance.State, instance.EnaSupport);
            var outcome = outcomes.TryGetValue(instance.InstanceId, out var r) ? r.Outcome : null;
            var label = $"{instance.InstanceId} {outcome}: {r?.OutcomeReason}";
            Assert.True(!found.Reachable || after.Reachable || found.State != "running", $"{label}: was reachable, now is not");
            Assert.True(found.State == after.State || (found.State == "pending" && after.State == "running"), $"{label}: found {found.State}, left {after.State}");
            if (after.EnaSupport && !found.EnaSupport)
            {
                Assert.Equal(Outcomes.Recovered, outcome);
            }
            if (outcome == Outcomes.Recovered)
            {
                Assert.True(after.EnaSupport, $"{label}: recovered but ENA off");
            }
            if (outcome is Outcomes.Recovered or Outcomes.RolledBack && found.State == "running")
            {
                Assert.True(after.Reachable, $"{label}: ended unreachable");
            }
        }
    }
}
