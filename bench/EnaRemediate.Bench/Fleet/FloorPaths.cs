using EnaRemediate.Core.Triage;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// Each instance's necessary path for the route the engine takes for it (<see cref="FleetRoutes"/>),
/// with the waits this run drew (<see cref="SimulatedInstance.Timeline"/>). Only what any client
/// must wait for: no validation command, no poll, no snapshot (EBS snapshots are point-in-time at
/// CreateSnapshot, so nothing needs to wait for one to complete), no rescue bookkeeping. A phase
/// this run never reached (an instance lost on the way, or a strategy that took another route)
/// counts at the shortest draw its range allows (bench/README.md, "The floor").
/// </summary>
internal static class FloorPaths
{
    private const string InstallDocument = "EnaRemediate-InstallDriver";
    private const string RepairDocument = "EnaRemediate-OfflineRepair";

    /// <summary>The paths of the fleet (refused instances have none: nothing to wait for); null when a route is one the floor does not model.</summary>
    public static IReadOnlyList<FloorPath>? Of(IReadOnlyList<SimulatedInstance> world, IReadOnlyDictionary<string, string> routes)
    {
        var byId = world.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
        var timelines = world.ToDictionary(i => i.InstanceId, i => i.Timeline, StringComparer.Ordinal);
        // The offline repair of an instance runs on its rescue and names it as its subject.
        var repairs = world.SelectMany(i => i.Timeline)
            .Where(e => e.Phase == TimelineEntry.Command(RepairDocument) && e.Subject is not null)
            .GroupBy(e => e.Subject!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var rescues = new Dictionary<string, FloorPath>(StringComparer.Ordinal);
        var paths = new List<FloorPath>();
        foreach (var (id, route) in routes)
        {
            var instance = byId[id];
            switch (route)
            {
                case PlanNames.Refused:
                    continue;
                case PlanNames.Fallback when instance.Type.EnaSupport == InstanceTypeInfo.Supported && !instance.IsInstanceStoreBacked && !instance.IsParavirtual:
                    paths.Add(Swap(instance.Timeline, typeChange: false));
                    break;
                case PlanNames.TypeSwap:
                    paths.Add(Swap(instance.Timeline, typeChange: true));
                    break;
                case PlanNames.OfflineRepair:
                    paths.Add(Offline(id, $"{instance.AvailabilityZone}/{instance.Architecture}", repairs.GetValueOrDefault(id), timelines, rescues));
                    break;
                default:
                    return null;
            }
        }
        return paths;
    }

    /// <summary>
    /// fallback: stop → enaSupport off → start → SSM Online → the install → stop → enaSupport on →
    /// start → both checks. type-swap (<paramref name="typeChange"/>) the same with the instance
    /// type changed beside each enaSupport change: a second ModifyInstanceAttribute call (one
    /// attribute a call), to the Xen stand-in and back.
    /// </summary>
    public static FloorPath Swap(IReadOnlyList<TimelineEntry> timeline, bool typeChange)
    {
        var stops = timeline.Where(e => e.Phase == TimelineEntry.Stop).ToList();
        var starts = timeline.Where(e => e.Phase == TimelineEntry.Start).ToList();
        var install = timeline.FirstOrDefault(e => e.Phase == TimelineEntry.Command(InstallDocument));
        var start1 = starts.ElementAtOrDefault(0);
        var start2 = starts.ElementAtOrDefault(1);
        IEnumerable<FloorStep> Modify() => typeChange ? [new(FloorCall.Modify, 0), new(FloorCall.Modify, 0)] : [new(FloorCall.Modify, 0)];
        return new FloorPath(
        [
            new(FloorCall.Stop, Drawn(stops.ElementAtOrDefault(0), stops.ElementAtOrDefault(0)?.ReadyAt, Latencies.Stopping)),
            .. Modify(),
            new(FloorCall.Start, Drawn(start1, start1?.ReadyAt, Latencies.Pending, Latencies.Boot, Latencies.SsmRegistration)),
            new(FloorCall.Command, Drawn(install, install?.ReadyAt, Latencies.CommandPickup, Latencies.DkmsBuild)),
            new(FloorCall.Stop, Drawn(stops.ElementAtOrDefault(1), stops.ElementAtOrDefault(1)?.ReadyAt, Latencies.Stopping)),
            .. Modify(),
            new(FloorCall.Start, Drawn(start2, start2?.ChecksAt, Latencies.Pending, Latencies.Boot, Latencies.StatusChecks)),
        ]);
    }

    /// <summary>
    /// offline-repair: stop → detach the root → attach it to the rescue → (once the rescue is
    /// running with SSM Online) the repair → detach from the rescue → reattach as the root →
    /// start → both checks; DeleteOnTermination restored off the path. The rescue's own path is
    /// its launch (RunInstances) until SSM Online, shared by every instance it served in this run;
    /// an instance this run gave no rescue shares one per zone and architecture.
    /// </summary>
    /// <param name="group">the zone and architecture: where a rescue this run did not give would be shared.</param>
    /// <param name="repair">the repair command's entry (on the rescue's timeline, naming this instance), if it ran.</param>
    /// <param name="timelines">every instance's timeline in this run, by id (the rescues' among them).</param>
    /// <param name="rescues">the rescues' paths so far, by rescue id or group: one path for all the instances a rescue served.</param>
    public static FloorPath Offline(string id, string group, TimelineEntry? repair, IReadOnlyDictionary<string, IReadOnlyList<TimelineEntry>> timelines, Dictionary<string, FloorPath> rescues)
    {
        var timeline = timelines[id];
        var stop = timeline.FirstOrDefault(e => e.Phase == TimelineEntry.Stop);
        var detach = timeline.FirstOrDefault(e => e.Phase == TimelineEntry.Detach && e.Subject == id);
        var toRescue = timeline.FirstOrDefault(e => e.Phase == TimelineEntry.Attach && e.Subject != id);
        var fromRescue = timeline.FirstOrDefault(e => e.Phase == TimelineEntry.Detach && e.Subject != id);
        var reattach = timeline.FirstOrDefault(e => e.Phase == TimelineEntry.Attach && e.Subject == id);
        var start = timeline.FirstOrDefault(e => e.Phase == TimelineEntry.Start);
        var rescueId = toRescue?.Subject is { } r && timelines.ContainsKey(r) ? r : null;
        var key = rescueId ?? group;
        if (!rescues.TryGetValue(key, out var rescue))
        {
            var launch = rescueId is null ? null : timelines[rescueId].FirstOrDefault(e => e.Phase == TimelineEntry.Start);
            rescue = new FloorPath([new(FloorCall.Launch, Drawn(launch, launch?.ReadyAt, Latencies.Pending, Latencies.Boot, Latencies.SsmRegistration))]);
            rescues[key] = rescue;
        }
        return new FloorPath(
        [
            new(FloorCall.Stop, Drawn(stop, stop?.ReadyAt, Latencies.Stopping)),
            new(FloorCall.Detach, Drawn(detach, detach?.ReadyAt, Latencies.VolumeAttachment)),
            new(FloorCall.Attach, Drawn(toRescue, toRescue?.ReadyAt, Latencies.VolumeAttachment)),
            new(FloorCall.Command, Drawn(repair, repair?.ReadyAt, Latencies.CommandPickup, Latencies.DkmsBuild, Latencies.ShortCommand), After: rescue),
            new(FloorCall.Detach, Drawn(fromRescue, fromRescue?.ReadyAt, Latencies.VolumeAttachment)),
            new(FloorCall.Attach, Drawn(reattach, reattach?.ReadyAt, Latencies.VolumeAttachment)),
            new(FloorCall.Modify, 0, OffPath: true),
            new(FloorCall.Start, Drawn(start, start?.ChecksAt, Latencies.Pending, Latencies.Boot, Latencies.StatusChecks)),
        ]);
    }

    /// <summary>Seconds from the entry's beginning to <paramref name="end"/>, as drawn; the shortest draw of the ranges when the run never got there.</summary>
    private static double Drawn(TimelineEntry? entry, DateTimeOffset? end, params (int Min, int Max)[] ranges) =>
        entry is not null && end is { } e ? (e - entry.At).TotalSeconds : ranges.Sum(r => r.Min);
}
