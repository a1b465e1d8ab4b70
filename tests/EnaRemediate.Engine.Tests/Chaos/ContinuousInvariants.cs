using EnaRemediate.Core.Engine;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Chaos;

/// <summary>
/// The invariants that must hold at every moment of a run, not only at its end, checked after
/// every look: never two remediations at once on one instance; enaSupport never off on a running
/// instance whose (current) type requires ENA — a type-swap runs it on a Xen stand-in, which does
/// not; no instance-store-backed instance ever stopping. Each violation is reported once.
/// </summary>
internal sealed class ContinuousInvariants(SimulatedWorld world, IRemediationStore store, TimeProvider clock)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    // What existed before the run: anything else the run made (a rescue instance, a restored volume) must not leak.
    private readonly HashSet<string> _instancesBefore = world.Instances.Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal);
    private readonly HashSet<string> _volumesBefore = world.AllVolumes.Select(v => v.VolumeId).ToHashSet(StringComparer.Ordinal);

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

    /// <summary>
    /// Checks over the whole run: no instance-store-backed instance was sent a stop or terminate; every
    /// instance the run launched (a rescue) is terminated; every volume it created (one restored from a
    /// snapshot) is attached to an instance as its root, never left lying about.
    /// </summary>
    public IReadOnlyList<string> FinalViolations()
    {
        var now = clock.GetUtcNow();
        var found = new List<string>();
        found.AddRange(world.Instances
            .Where(i => i.IsInstanceStoreBacked && world.Counters["StopInstances", i.InstanceId] + world.Counters["TerminateInstances", i.InstanceId] > 0)
            .Select(i => $"{i.InstanceId}: instance-store-backed and sent StopInstances/TerminateInstances"));
        found.AddRange(world.Instances
            .Where(i => !_instancesBefore.Contains(i.InstanceId) && i.StateAt(now) is not ("terminated" or "shutting-down"))
            .Select(i => $"{i.InstanceId}: launched by the run ({i.Type.Name}) and left {i.StateAt(now)}"));
        found.AddRange(world.AllVolumes
            .Where(v => !_volumesBefore.Contains(v.VolumeId) && v.StateAt(now) != "deleted" && v.Attachment is null)
            .Select(v => $"{v.VolumeId}: created by the run and left unattached"));
        return found.Where(_seen.Add).ToList();
    }
}
