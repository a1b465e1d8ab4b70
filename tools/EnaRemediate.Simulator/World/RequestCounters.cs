using System.Collections.Concurrent;

namespace EnaRemediate.Simulator.World;

/// <summary>Requests seen per action (EC2 Action or SSM operation) and how many were throttled, for tests and benchmarks.</summary>
public sealed class RequestCounters
{
    private readonly ConcurrentDictionary<string, long> _byAction = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Action, string InstanceId), long> _byInstance = new();
    private long _throttled;
    private long _handlerCpuTicks;

    /// <summary>The per-instance key (<c>this[PingListed, id]</c>) of the DescribeInstanceInformation answers whose page held the instance's entry.</summary>
    public const string PingListed = "DescribeInstanceInformation:listed";

    public long this[string action] => _byAction.TryGetValue(action, out var n) ? n : 0;
    /// <summary>Requests of this action that named this instance (EC2's InstanceId.N, DescribeInstanceInformation's InstanceIds filter), whether or not they succeeded.</summary>
    public long this[string action, string instanceId] => _byInstance.TryGetValue((action, instanceId), out var n) ? n : 0;
    public long Throttled => Interlocked.Read(ref _throttled);
    public long Total => _byAction.Values.Sum();
    /// <summary>CPU time spent inside the EC2 and SSM handlers (the model and the rendering; not Kestrel's HTTP parsing).</summary>
    public TimeSpan HandlerCpu => TimeSpan.FromTicks(Interlocked.Read(ref _handlerCpuTicks));
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_byAction, StringComparer.Ordinal);

    internal void Count(string action) => _byAction.AddOrUpdate(action, 1, (_, n) => n + 1);
    internal void Count(string action, string instanceId) => _byInstance.AddOrUpdate((action, instanceId), 1, (_, n) => n + 1);
    internal void CountThrottled() => Interlocked.Increment(ref _throttled);
    internal void AddHandlerCpu(TimeSpan cpu) => Interlocked.Add(ref _handlerCpuTicks, cpu.Ticks);
}
