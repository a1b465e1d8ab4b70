using System.Collections.Concurrent;

namespace EnaRemediate.Simulator.World;

/// <summary>Requests seen per action (EC2 Action or SSM operation) and how many were throttled, for tests and benchmarks.</summary>
public sealed class RequestCounters
{
    private readonly ConcurrentDictionary<string, long> _byAction = new(StringComparer.Ordinal);
    private long _throttled;

    public long this[string action] => _byAction.TryGetValue(action, out var n) ? n : 0;
    public long Throttled => Interlocked.Read(ref _throttled);
    public long Total => _byAction.Values.Sum();
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_byAction, StringComparer.Ordinal);

    internal void Count(string action) => _byAction.AddOrUpdate(action, 1, (_, n) => n + 1);
    internal void CountThrottled() => Interlocked.Increment(ref _throttled);
}
