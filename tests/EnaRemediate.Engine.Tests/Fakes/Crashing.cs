using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Engine.Tests.Fakes;

/// <summary>The process "dies" here: thrown out of Advance, after which the test builds a fresh engine.</summary>
internal sealed class SimulatedCrash : Exception;

/// <summary>
/// Counts the engine's externally visible moments (just before and just after every mutating AWS
/// call and every store write) and crashes at the chosen one. Moments between two of these are
/// invisible to the world, so crashing at each of them covers every place a kill can land.
/// </summary>
internal sealed class CrashSwitch(int crashAt)
{
    public int Passed { get; private set; }
    public bool Fired { get; private set; }

    public void Point()
    {
        Passed++;
        if (!Fired && Passed == crashAt)
        {
            Fired = true;
            throw new SimulatedCrash();
        }
    }

    public async Task<T> Around<T>(Func<Task<T>> call)
    {
        Point();
        var result = await call();
        Point();
        return result;
    }

    public async Task Around(Func<Task> call)
    {
        Point();
        await call();
        Point();
    }
}

internal sealed class CrashingEc2(IEc2Port inner, CrashSwitch crash) : IEc2Port
{
    public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IReadOnlyList<string> ids, CancellationToken ct) => inner.DescribeInstancesAsync(ids, ct);
    public Task<IReadOnlyDictionary<string, string>> DescribeTypeEnaSupportAsync(IReadOnlyCollection<string> types, CancellationToken ct) => inner.DescribeTypeEnaSupportAsync(types, ct);
    public Task<IReadOnlyDictionary<string, Ec2StatusChecks>> DescribeInstanceStatusAsync(IReadOnlyList<string> ids, CancellationToken ct) => inner.DescribeInstanceStatusAsync(ids, ct);
    public Task StopInstancesAsync(IReadOnlyList<string> ids, bool force, bool dryRun, CancellationToken ct) => crash.Around(() => inner.StopInstancesAsync(ids, force, dryRun, ct));
    public Task StartInstancesAsync(IReadOnlyList<string> ids, bool dryRun, CancellationToken ct) => crash.Around(() => inner.StartInstancesAsync(ids, dryRun, ct));
    public Task SetEnaSupportAsync(string id, bool enabled, bool dryRun, CancellationToken ct) => crash.Around(() => inner.SetEnaSupportAsync(id, enabled, dryRun, ct));
}

internal sealed class CrashingSsm(ISsmPort inner, CrashSwitch crash) : ISsmPort
{
    public Task<IReadOnlyDictionary<string, string>> DescribePingStatusAsync(IReadOnlyList<string> ids, CancellationToken ct) => inner.DescribePingStatusAsync(ids, ct);
    public Task<IReadOnlySet<string>> DescribeOnlineAsync(IReadOnlyList<string> ids, CancellationToken ct) => inner.DescribeOnlineAsync(ids, ct);
    public Task<string> SendCommandAsync(string doc, IReadOnlyList<string> ids, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken ct) => crash.Around(() => inner.SendCommandAsync(doc, ids, parameters, comment, ct));
    public Task<IReadOnlyList<RecentInvocation>> ListInvocationsAsync(string commandId, CancellationToken ct) => inner.ListInvocationsAsync(commandId, ct);
    public Task<IReadOnlyList<RecentInvocation>> ListRecentInvocationsAsync(string doc, DateTimeOffset after, CancellationToken ct) => inner.ListRecentInvocationsAsync(doc, after, ct);
    public Task<CommandInvocation?> GetCommandInvocationAsync(string commandId, string id, CancellationToken ct) => inner.GetCommandInvocationAsync(commandId, id, ct);
}

internal sealed class CrashingStore(IRemediationStore inner, CrashSwitch crash) : IRemediationStore
{
    public Task<StoreCreateResult> TryCreateAsync(RemediationRecord record, CancellationToken ct = default) => crash.Around(() => inner.TryCreateAsync(record, ct));
    public Task<RemediationRecord?> GetLatestAsync(string instanceId, CancellationToken ct = default) => inner.GetLatestAsync(instanceId, ct);
    public Task<RemediationRecord?> GetAsync(string remediationId, CancellationToken ct = default) => inner.GetAsync(remediationId, ct);
    public Task<RemediationRecord> SaveAsync(RemediationRecord record, long expectedVersion, CancellationToken ct = default) => crash.Around(() => inner.SaveAsync(record, expectedVersion, ct));
    public Task<IReadOnlyList<RemediationRecord>> ListUnfinishedAsync(CancellationToken ct = default) => inner.ListUnfinishedAsync(ct);
    public Task<IReadOnlyList<RemediationRecord>> HistoryAsync(string instanceId, CancellationToken ct = default) => inner.HistoryAsync(instanceId, ct);
}
