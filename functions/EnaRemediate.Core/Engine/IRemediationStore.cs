namespace EnaRemediate.Core.Engine;

/// <summary>
/// Where remediation records live: memory (tests, simulate), SQLite for the CLI, DynamoDB in AWS.
/// Every write is conditional so that one instance is never remediated twice at once.
/// </summary>
public interface IRemediationStore
{
    /// <summary>
    /// Creates the record if the instance has no unfinished record. Returns the existing
    /// unfinished record (and creates nothing) when there is one: that is the per-instance lock.
    /// </summary>
    Task<StoreCreateResult> TryCreateAsync(RemediationRecord record, CancellationToken cancellationToken = default);

    /// <summary>The newest record for the instance, finished or not; null when there is none.</summary>
    Task<RemediationRecord?> GetLatestAsync(string instanceId, CancellationToken cancellationToken = default);

    /// <summary>The record with this id; null when there is none.</summary>
    Task<RemediationRecord?> GetAsync(string remediationId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the record if its stored <see cref="RemediationRecord.Version"/> still equals
    /// <paramref name="expectedVersion"/>; the saved copy carries expectedVersion + 1.
    /// Throws <see cref="StoreConflictException"/> when another writer got there first.
    /// </summary>
    Task<RemediationRecord> SaveAsync(RemediationRecord record, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Every unfinished record (for the sweep and for resuming after a crash).</summary>
    Task<IReadOnlyList<RemediationRecord>> ListUnfinishedAsync(CancellationToken cancellationToken = default);

    /// <summary>All records of one instance, oldest first: the audit log.</summary>
    Task<IReadOnlyList<RemediationRecord>> HistoryAsync(string instanceId, CancellationToken cancellationToken = default);
}

/// <summary>The answer of <see cref="IRemediationStore.TryCreateAsync"/>.</summary>
public sealed record StoreCreateResult(bool Created, RemediationRecord Record);

/// <summary>A conditional write lost to another writer; re-read and decide again.</summary>
public sealed class StoreConflictException(string remediationId, long expectedVersion)
    : Exception($"Remediation record {remediationId} changed since version {expectedVersion}; re-read it and decide again.")
{
    public string RemediationId { get; } = remediationId;
    public long ExpectedVersion { get; } = expectedVersion;
}
