using EnaRemediate.Simulator.Throttling;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// The physical floor of a fleet recovery (bench/README.md): an omniscient client that acts the
/// instant each transition ends, facing the latencies the simulator drew in this very run and
/// EC2's account-wide token buckets. Per instance only what any client must wait for on the route
/// the engine takes (<see cref="FloorPaths"/>): no polling, no validation commands. Calls are
/// paced by the buckets (StopInstances and StartInstances take many ids per call and one resource
/// token per id; ModifyInstanceAttribute, AttachVolume, DetachVolume and RunInstances one call
/// each), and scarce tokens go to the paths with the most drawn work left.
/// </summary>
internal static class FleetFloor
{
    /// <summary>Who gets a scarce token first.</summary>
    public enum TokenOrder
    {
        /// <summary>The path with the most drawn work left: needs the future draws, so no client can do it (the floor).</summary>
        MostWorkLeft,

        /// <summary>The path that asked first: the best a client that cannot see the draws ahead can do with uniform, independent latencies.</summary>
        FirstAsked,
    }

    /// <summary>The floor of this run; null when an instance's route is not one the floor models.</summary>
    public static double? Seconds(IReadOnlyList<SimulatedInstance> world, IReadOnlyDictionary<string, string> routes, TokenOrder order = TokenOrder.MostWorkLeft) =>
        FloorPaths.Of(world, routes) is { } paths ? Replay(paths, order) : null;

    private sealed class Walker(IReadOnlyList<FloorStep> steps)
    {
        public IReadOnlyList<FloorStep> Steps { get; } = steps;
        public int Step { get; set; }
        public double Remaining => Steps.Skip(Step).Sum(s => s.OffPath ? 0 : s.Wait);
        public bool Finished { get; set; }
        /// <summary>Walkers waiting for this one to end before their next step (repairs waiting for their rescue).</summary>
        public List<Walker> Dependents { get; } = [];
    }

    /// <summary>Seconds until every path (and every path one of them waits for) has taken its last step and waited it out.</summary>
    public static double Replay(IReadOnlyList<FloorPath> paths, TokenOrder order = TokenOrder.MostWorkLeft)
    {
        var origin = DateTimeOffset.UnixEpoch;
        var calls = Enum.GetValues<FloorCall>();
        var action = calls.Where(c => FloorPath.Action(c) is not null).ToDictionary(c => c, c => Bucket(ThrottleBuckets.ActionLimit(FloorPath.Action(c)!, unfilteredDescribe: false), origin));
        var resource = calls.Where(c => FloorPath.Action(c) is { } a && ThrottleBuckets.ResourceLimit(a) is not null)
            .ToDictionary(c => c, c => Bucket(ThrottleBuckets.ResourceLimit(FloorPath.Action(c)!)!.Value, origin));
        var ready = calls.ToDictionary(c => c, _ => new PriorityQueue<Walker, (double, long)>());
        var walkers = new Dictionary<FloorPath, Walker>();
        Walker WalkerOf(FloorPath path) => walkers.TryGetValue(path, out var w) ? w : walkers[path] = new Walker(path.Steps);
        // Priorities carry a sequence number: equal times and equal work are served first come first served, so one run gives one floor.
        var waiting = new PriorityQueue<Walker, (double At, long Seq)>();
        var seq = 0L;
        foreach (var path in paths.Concat(paths.SelectMany(p => p.Steps).Select(s => s.After).OfType<FloorPath>()).Distinct())
        {
            waiting.Enqueue(WalkerOf(path), (0, seq++));
        }
        var active = walkers.Count;
        var now = 0.0;
        var finished = 0.0;

        // A walker whose last wait is over, or that may take its next step: done, parked behind its prerequisite, or ready for a token.
        void Arrive(Walker walker, double at)
        {
            while (walker.Step < walker.Steps.Count && walker.Steps[walker.Step].OffPath)
            {
                var side = new Walker([walker.Steps[walker.Step] with { OffPath = false }]);
                active++;
                Arrive(side, at);
                walker.Step++;
            }
            if (walker.Step == walker.Steps.Count)
            {
                walker.Finished = true;
                finished = Math.Max(finished, at);
                active--;
                foreach (var dependent in walker.Dependents)
                {
                    Arrive(dependent, at);
                }
                walker.Dependents.Clear();
            }
            else if (walker.Steps[walker.Step].After is { } after && !WalkerOf(after).Finished)
            {
                WalkerOf(after).Dependents.Add(walker);
            }
            else
            {
                ready[walker.Steps[walker.Step].Call].Enqueue(walker, (order == TokenOrder.MostWorkLeft ? -walker.Remaining : at, seq++));
            }
        }

        while (active > 0)
        {
            while (waiting.TryPeek(out var walker, out var due) && due.At <= now)
            {
                waiting.Dequeue();
                Arrive(walker, due.At);
            }
            var time = origin + TimeSpan.FromSeconds(now);
            foreach (var call in calls)
            {
                var queue = ready[call];
                if (!action.TryGetValue(call, out var bucket))
                {
                    Issue(queue, int.MaxValue, waiting, now, ref seq);
                    continue;
                }
                var ids = resource.GetValueOrDefault(call);
                // A call that takes many ids (StopInstances, StartInstances) names as many as its resource tokens cover; the others one each.
                while (queue.Count > 0 && bucket.Available(time) >= 1 && (ids is null || ids.Available(time) >= 1))
                {
                    var count = ids is null ? 1 : (int)Math.Min(queue.Count, Math.Floor(ids.Available(time)));
                    bucket.TryTake(time);
                    ids?.TryTake(time, count);
                    Issue(queue, count, waiting, now, ref seq);
                }
            }
            var next = waiting.TryPeek(out _, out var wake) ? wake.At : double.PositiveInfinity;
            foreach (var (call, bucket) in action.Where(a => ready[a.Key].Count > 0))
            {
                var refill = Refilled(bucket, time);
                if (resource.TryGetValue(call, out var ids))
                {
                    refill = Math.Max(refill, Refilled(ids, time));
                }
                next = Math.Min(next, now + refill);
            }
            if (double.IsPositiveInfinity(next) && active > 0 && ready.Values.All(q => q.Count == 0))
            {
                throw new InvalidOperationException("floor replay: paths wait for each other in a cycle");
            }
            // A millisecond at least between rounds: a walker released now is looked at in the next round.
            now = Math.Max(next, now + 1e-3);
        }
        return finished;
    }

    // Takes up to count walkers off the queue: each takes its step now and is ready again after its drawn wait.
    private static void Issue(PriorityQueue<Walker, (double, long)> queue, int count, PriorityQueue<Walker, (double At, long Seq)> waiting, double now, ref long seq)
    {
        for (var n = 0; n < count && queue.TryDequeue(out var walker, out _); n++)
        {
            var wait = walker.Steps[walker.Step].Wait;
            walker.Step++;
            waiting.Enqueue(walker, (now + wait, seq++));
        }
    }

    /// <summary>Seconds until the bucket holds a whole token again.</summary>
    private static double Refilled(TokenBucket bucket, DateTimeOffset time) =>
        Math.Max(0, (1 - bucket.Available(time)) / bucket.RefillPerSecond);

    private static TokenBucket Bucket((double Size, double Refill) limit, DateTimeOffset origin) => new(limit.Size, limit.Refill, origin);
}
