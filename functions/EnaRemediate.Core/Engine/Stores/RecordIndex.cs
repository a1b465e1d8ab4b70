namespace EnaRemediate.Core.Engine.Stores;

/// <summary>
/// The in-memory store's rules (the same as every store's): one unfinished record per instance,
/// and versioned saves. Not thread-safe; the store serialises access to it.
/// </summary>
internal sealed class RecordIndex
{
    private readonly Dictionary<string, RemediationRecord> _byId = new(StringComparer.Ordinal);

    public IEnumerable<RemediationRecord> All => _byId.Values;

    public RemediationRecord? Get(string remediationId) => _byId.GetValueOrDefault(remediationId);

    public RemediationRecord? UnfinishedFor(string instanceId) =>
        _byId.Values.FirstOrDefault(r => r.InstanceId == instanceId && !r.IsFinished);

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

    public void Put(RemediationRecord record) => _byId[record.RemediationId] = record;

    public RemediationRecord? Latest(string instanceId) =>
        _byId.Values.Where(r => r.InstanceId == instanceId).OrderBy(r => r.CreatedAt).ThenBy(r => r.RemediationId, StringComparer.Ordinal).LastOrDefault();

    public IReadOnlyList<RemediationRecord> History(string instanceId) =>
        _byId.Values.Where(r => r.InstanceId == instanceId).OrderBy(r => r.CreatedAt).ThenBy(r => r.RemediationId, StringComparer.Ordinal).ToList();
}
