namespace EnaRemediate.Core.Engine.Stores;

/// <summary>Records in process memory: tests, the simulator, one-off CLI runs.</summary>
public sealed class InMemoryRemediationStore : IRemediationStore
{
    private readonly RecordIndex _index = new();
    private readonly Lock _lock = new();

    public Task<StoreCreateResult> TryCreateAsync(RemediationRecord record, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var result = _index.PrepareCreate(record);
            if (result.Created)
            {
                _index.Put(result.Record);
            }
            return Task.FromResult(result);
        }
    }

    public Task<RemediationRecord?> GetLatestAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_index.Latest(instanceId));
        }
    }

    public Task<RemediationRecord?> GetAsync(string remediationId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_index.Get(remediationId));
        }
    }

    public Task<RemediationRecord> SaveAsync(RemediationRecord record, long expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var saved = _index.PrepareSave(record, expectedVersion);
            _index.Put(saved);
            return Task.FromResult(saved);
        }
    }

    public Task<IReadOnlyList<RemediationRecord>> ListUnfinishedAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<RemediationRecord>>(_index.Unfinished.ToList());
        }
    }

    public Task<IReadOnlyList<RemediationRecord>> HistoryAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_index.History(instanceId));
        }
    }
}
