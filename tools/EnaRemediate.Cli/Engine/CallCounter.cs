using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Cli.Engine;

/// <summary>
/// Attributes the engine's AWS calls to instances for the simulate report: a call about n
/// instances counts 1/n for each, so a batched StopInstances is cheap per instance, as it is.
/// Each call's time (on the engine's clock) is kept, so the timeline report can count calls per step.
/// </summary>
internal sealed class CallCounter(TimeProvider clock)
{
    private readonly Dictionary<string, List<(DateTimeOffset At, double Share)>> _perInstance = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Count(IReadOnlyCollection<string> instanceIds)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            foreach (var id in instanceIds)
            {
                if (!_perInstance.TryGetValue(id, out var calls))
                {
                    _perInstance[id] = calls = [];
                }
                calls.Add((now, 1.0 / instanceIds.Count));
            }
        }
    }

    public double For(string instanceId) => Between(instanceId, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);

    /// <summary>The instance's share of the calls made from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive).</summary>
    public double Between(string instanceId, DateTimeOffset from, DateTimeOffset to)
    {
        lock (_lock)
        {
            return Math.Round(_perInstance.GetValueOrDefault(instanceId)?.Where(c => c.At >= from && c.At < to).Sum(c => c.Share) ?? 0, 2);
        }
    }

    public IEc2Port Wrap(IEc2Port inner) => new CountingEc2(inner, this);

    public ISsmPort Wrap(ISsmPort inner) => new CountingSsm(inner, this);

    private sealed class CountingEc2(IEc2Port inner, CallCounter counter) : IEc2Port
    {
        public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IReadOnlyList<string> ids, CancellationToken ct) { counter.Count(ids); return inner.DescribeInstancesAsync(ids, ct); }
        public Task<IReadOnlyDictionary<string, string>> DescribeTypeEnaSupportAsync(IReadOnlyCollection<string> types, CancellationToken ct) => inner.DescribeTypeEnaSupportAsync(types, ct);
        public Task<IReadOnlyDictionary<string, Ec2StatusChecks>> DescribeInstanceStatusAsync(IReadOnlyList<string> ids, CancellationToken ct) { counter.Count(ids); return inner.DescribeInstanceStatusAsync(ids, ct); }
        public Task StopInstancesAsync(IReadOnlyList<string> ids, bool force, bool dryRun, CancellationToken ct) { counter.Count(ids); return inner.StopInstancesAsync(ids, force, dryRun, ct); }
        public Task StartInstancesAsync(IReadOnlyList<string> ids, bool dryRun, CancellationToken ct) { counter.Count(ids); return inner.StartInstancesAsync(ids, dryRun, ct); }
        public Task SetEnaSupportAsync(string id, bool enabled, bool dryRun, CancellationToken ct) { counter.Count([id]); return inner.SetEnaSupportAsync(id, enabled, dryRun, ct); }
    }

    private sealed class CountingSsm(ISsmPort inner, CallCounter counter) : ISsmPort
    {
        public Task<IReadOnlyDictionary<string, string>> DescribePingStatusAsync(IReadOnlyList<string> ids, CancellationToken ct) { counter.Count(ids); return inner.DescribePingStatusAsync(ids, ct); }
        public Task<IReadOnlySet<string>> DescribeOnlineAsync(IReadOnlyList<string> ids, CancellationToken ct) { counter.Count(ids); return inner.DescribeOnlineAsync(ids, ct); }
        public Task<string> SendCommandAsync(string doc, IReadOnlyList<string> ids, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken ct) { counter.Count(ids); return inner.SendCommandAsync(doc, ids, parameters, comment, ct); }
        public Task<IReadOnlyList<RecentInvocation>> ListInvocationsAsync(string commandId, CancellationToken ct) => inner.ListInvocationsAsync(commandId, ct);
        public Task<IReadOnlyList<RecentInvocation>> ListRecentInvocationsAsync(string doc, DateTimeOffset after, CancellationToken ct) => inner.ListRecentInvocationsAsync(doc, after, ct);
        public Task<CommandInvocation?> GetCommandInvocationAsync(string commandId, string id, CancellationToken ct) { counter.Count([id]); return inner.GetCommandInvocationAsync(commandId, id, ct); }
    }
}
