using EnaRemediate.Core.Engine;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Chaos;

/// <summary>
/// The invariants that must hold at every moment of a run, not only at its end, checked after
/// every look: never two remediations at once on one instance; enaSupport never off on a running
/// instance whose (current) type requires ENA — a type-swap runs it on a Xen stand-in, which does
/// not; no instance-store-backed instance ever stopping. Each violation is reported once.
/// </summary>
internal sealed class ContinuousInvariants(SimulatedWorld world, IRemediationStore store)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<string>> CheckAsync(DateTimeOffset now)
    {
        var found = new List<string>();
        foreach (var group in (await store.ListUnfinishedAsync()).GroupBy(r => r.InstanceId).Where(g => g.Count() > 1))
        {
            found.Add($"{group.Key}: {group.Count()} remediations at once ({string.Join(", ", group.Select(r => r.RemediationId))})");
        }
        foreach (var instance in world.Instances)
        {
            var state = instance.StateAt(now);
            if (state == "running" && !instance.EnaSupport && instance.Type.EnaSupport == InstanceTypeInfo.Required)
            {
                found.Add($"{instance.InstanceId}: running on {instance.Type.Name}, which requires ENA, with enaSupport off");
            }
            if (instance.IsInstanceStoreBacked && state is "stopping" or "stopped" or "shutting-down" or "terminated")
            {
                found.Add($"{instance.InstanceId}: instance-store-backed and {state}");
            }
        }
        return found.Where(_seen.Add).ToList();
    }

    /// <summary>Checks over the whole run that the simulator's per-instance counters can answer.</summary>
    public IReadOnlyList<string> FinalViolations() =>
        world.Instances
            .Where(i => i.IsInstanceStoreBacked && world.Counters["StopInstances", i.InstanceId] + world.Counters["TerminateInstances", i.InstanceId] > 0)
            .Select(i => $"{i.InstanceId}: instance-store-backed and sent StopInstances/TerminateInstances")
            .Where(_seen.Add)
            .ToList();
}
