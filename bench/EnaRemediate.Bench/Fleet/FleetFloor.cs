using EnaRemediate.Simulator.Throttling;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// The physical floor of a fleet recovery (bench/README.md): an omniscient client that acts the
/// instant each transition ends, facing the latencies the simulator drew in this very run and
/// EC2's account-wide token buckets. Per instance only what any client must wait for: stop →
/// enaSupport off → start → SSM Online → the driver install → stop → enaSupport on → start →
/// both status checks ok. No polling, no validation commands. Calls are paced by the buckets
/// (StopInstances and StartInstances take many ids per call and one resource token per id;
/// ModifyInstanceAttribute is one call per instance), and scarce tokens go to the instances with
/// the most work left. Null when an instance is not one the fallback path applies to.
/// </summary>
internal static class FleetFloor
{
    private enum Call { Stop, Modify, Start, Install }

    // Each step: the call that begins it, then (for stops and starts) the drawn wait until the next step may begin.
    private static readonly Call[] Path = [Call.Stop, Call.Modify, Call.Start, Call.Install, Call.Stop, Call.Modify, Call.Start];

    public static double? Seconds(IReadOnlyList<SimulatedInstance> fleet)
    {
        if (fleet.Any(i => i.Type.EnaSupport != InstanceTypeInfo.Supported || i.IsInstanceStoreBacked || i.IsParavirtual))
        {
            return null;
        }
        return Replay(fleet.Select(Waits).ToList());
    }

    /// <summary>The waits after each step of <see cref="Path"/>, in seconds, as drawn in this run.</summary>
    private static double[] Waits(SimulatedInstance instance)
    {
        var stops = instance.Timeline.Where(e => e.Phase == TimelineEntry.Stop).ToList();
        var starts = instance.Timeline.Where(e => e.Phase == TimelineEntry.Start).ToList();
        var install = instance.Timeline.FirstOrDefault(e => e.Phase == TimelineEntry.Command("EnaRemediate-InstallDriver"));
        // A phase this run never reached (an instance lost on the way) counts at its shortest possible draw.
        double Drawn(TimelineEntry? entry, DateTimeOffset? end, params (int Min, int Max)[] ranges) =>
            entry is not null && end is { } e ? (e - entry.At).TotalSeconds : ranges.Sum(r => r.Min);
        var start1 = starts.ElementAtOrDefault(0);
        var start2 = starts.ElementAtOrDefault(1);
        return
        [
            Drawn(stops.ElementAtOrDefault(0), stops.ElementAtOrDefault(0)?.ReadyAt, Latencies.Stopping),
            0,
            Drawn(start1, start1?.ReadyAt, Latencies.Pending, Latencies.Boot, Latencies.SsmRegistration),
            Drawn(install, install?.ReadyAt, Latencies.CommandPickup, Latencies.DkmsBuild),
            Drawn(stops.ElementAtOrDefault(1), stops.ElementAtOrDefault(1)?.ReadyAt, Latencies.Stopping),
            0,
            Drawn(start2, start2?.ChecksAt, Latencies.Pending, Latencies.Boot, Latencies.StatusChecks),
        ];
    }

    private sealed class Walker(double[] waits)
    {
        public double[] Waits { get; } = waits;
        public int Step { get; set; }
        public double Remaining => Waits.Skip(Step).Sum();
    }

    private static double Replay(List<double[]> fleet)
    {
        var origin = DateTimeOffset.UnixEpoch;
        var action = new Dictionary<Call, TokenBucket>
        {
            [Call.Stop] = Bucket("StopInstances", origin),
            [Call.Modify] = Bucket("ModifyInstanceAttribute", origin),
            [Call.Start] = Bucket("StartInstances", origin),
        };
        var resource = new Dictionary<Call, TokenBucket>
        {
            [Call.Stop] = ResourceBucket("StopInstances", origin),
            [Call.Start] = ResourceBucket("StartInstances", origin),
        };
        var ready = new Dictionary<Call, PriorityQueue<Walker, double>>
        {
            [Call.Stop] = new(), [Call.Modify] = new(), [Call.Start] = new(), [Call.Install] = new(),
        };
        var waiting = new PriorityQueue<Walker, double>();
        foreach (var waits in fleet)
        {
            waiting.Enqueue(new Walker(waits), 0);
        }
        var now = 0.0;
        var finished = 0.0;
        var done = 0;
        while (done < fleet.Count)
        {
            while (waiting.TryPeek(out var walker, out var at) && at <= now)
            {
                waiting.Dequeue();
                if (walker.Step == Path.Length)
                {
                    finished = Math.Max(finished, at);
                    done++;
                }
                else
                {
                    ready[Path[walker.Step]].Enqueue(walker, -walker.Remaining);
                }
            }
            var time = origin + TimeSpan.FromSeconds(now);
            // SendCommand is not throttled; ModifyInstanceAttribute names one instance per call.
            Issue(ready[Call.Install], int.MaxValue, waiting, now);
            while (ready[Call.Modify].Count > 0 && action[Call.Modify].TryTake(time))
            {
                Issue(ready[Call.Modify], 1, waiting, now);
            }
            foreach (var call in new[] { Call.Stop, Call.Start })
            {
                while (ready[call].Count > 0 && action[call].Available(time) >= 1 && resource[call].Available(time) >= 1)
                {
                    var count = (int)Math.Min(ready[call].Count, Math.Floor(resource[call].Available(time)));
                    action[call].TryTake(time);
                    resource[call].TryTake(time, count);
                    Issue(ready[call], count, waiting, now);
                }
            }
            var next = waiting.TryPeek(out _, out var wake) ? wake : double.PositiveInfinity;
            foreach (var call in new[] { Call.Stop, Call.Modify, Call.Start })
            {
                if (ready[call].Count > 0)
                {
                    var refill = Refilled(action[call], time);
                    if (resource.TryGetValue(call, out var r))
                    {
                        refill = Math.Max(refill, Refilled(r, time));
                    }
                    next = Math.Min(next, now + refill);
                }
            }
            // A millisecond at least between rounds: a walker released now is looked at in the next round.
            now = Math.Max(next, now + 1e-3);
        }
        return finished;
    }

    // Takes up to count walkers off the queue: each takes its step now and is ready again after its drawn wait.
    private static void Issue(PriorityQueue<Walker, double> queue, int count, PriorityQueue<Walker, double> waiting, double now)
    {
        for (var n = 0; n < count && queue.TryDequeue(out var walker, out _); n++)
        {
            var wait = walker.Waits[walker.Step];
            walker.Step++;
            waiting.Enqueue(walker, now + wait);
        }
    }

    /// <summary>Seconds until the bucket holds a whole token again.</summary>
    private static double Refilled(TokenBucket bucket, DateTimeOffset time) =>
        Math.Max(0, (1 - bucket.Available(time)) / bucket.RefillPerSecond);

    private static TokenBucket Bucket(string action, DateTimeOffset origin)
    {
        var (size, refill) = ThrottleBuckets.ActionLimit(action, unfilteredDescribe: false);
        return new TokenBucket(size, refill, origin);
    }

    private static TokenBucket ResourceBucket(string action, DateTimeOffset origin)
    {
        var (size, refill) = ThrottleBuckets.ResourceLimit(action)!.Value;
        return new TokenBucket(size, refill, origin);
    }
}
