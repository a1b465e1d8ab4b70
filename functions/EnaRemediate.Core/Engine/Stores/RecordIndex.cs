namespace EnaRemediate.Core.Engine.Stores;

/// <summary>
/// The in-memory store's rules (the same as every store's): one unfinished record per instance,
/// and versioned saves. Records are indexed by id and by instance (in creation order), so that
/// the per-instance lock and "latest" never scan the whole store: a 10,000-instance start is
/// linear. Not thread-safe; the store serialises access to it.
/// </summary>
internal sealed class RecordIndex
{
    private readonly Dictionary<string, RemediationRecord> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _byInstance = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _unfinishedByInstance = new(StringComparer.Ordinal);

    public IEnumerable<RemediationRecord> Unfinished => _unfinishedByInstance.Values.Select(id => _byId[id]);

    public RemediationRecord? Get(string remediationId) => _byId.GetValueOrDefault(remediationId);

    public RemediationRecord? UnfinishedFor(string instanceId) =>
        _unfinishedByInstance.TryGetValue(instanceId, out var id) ? _byId[id] : null;

    /// <summary>The record to store for a create, or the unfinished record that blocks it.</summary>
    public StoreCreateResult PrepareCreate(RemediationRecord record)
    {
        if (_byId.ContainsKey(record.RemediationId))
        {
            throw new ArgumentException($"A remediation record with id {record.RemediationId} already exists.", nameof(record));
        }
        if (UnfinishedFor(record.InstanceId) is { } existing)
        {
            return new StoreCreateResult(false, existing);
        }
        return new StoreCreateResult(true, record with { Version = 1 });
    }

    /// <summary>The copy to store for a save, or <see cref="StoreConflictException"/> when the version moved.</summary>
    public RemediationRecord PrepareSave(RemediationRecord record, long expectedVersion)
    {
        if (!_byId.TryGetValue(record.RemediationId, out var current) || current.Version != expectedVersion)
        {
            throw new StoreConflictException(record.RemediationId, expectedVersion);
        }
        return record with { Version = expectedVersion + 1 };
    }

    public void Put(RemediationRecord record)
    {
        if (!_byId.ContainsKey(record.RemediationId))
        {
            if (!_byInstance.TryGetValue(record.InstanceId, out var ids))
            {
                _byInstance[record.InstanceId] = ids = [];
            }
            // Kept in the order History and Latest promise: creation time, then id.
            var at = ids.FindLastIndex(id => Order(_byId[id], record) <= 0) + 1;
            ids.Insert(at, record.RemediationId);
        }
        _byId[record.RemediationId] = record;
        if (!record.IsFinished)
        {
            _unfinishedByInstance[record.InstanceId] = record.RemediationId;
        }
        else if (_unfinishedByInstance.TryGetValue(record.InstanceId, out var open) && open == record.RemediationId)
        {
            _unfinishedByInstance.Remove(record.InstanceId);
        }
    }

    public RemediationRecord? Latest(string instanceId) =>
        _byInstance.TryGetValue(instanceId, out var ids) ? _byId[ids[^1]] : null;

    public IReadOnlyList<RemediationRecord> History(string instanceId) =>
        _byInstance.TryGetValue(instanceId, out var ids) ? ids.Select(id => _byId[id]).ToList() : [];

    private static int Order(RemediationRecord a, RemediationRecord b)
    {
        var byTime = a.CreatedAt.CompareTo(b.CreatedAt);
        return byTime != 0 ? byTime : StringComparer.Ordinal.Compare(a.RemediationId, b.RemediationId);
    }
}
