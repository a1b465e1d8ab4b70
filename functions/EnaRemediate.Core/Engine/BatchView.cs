namespace EnaRemediate.Core.Engine;

/// <summary>
/// The records of one batch as the reconciler last read or saved them, indexed by next-look time,
/// so that an Advance touches only the records that are due (and re-reads only those from the
/// store before deciding) and answers Done and the next wait without a pass over the batch.
/// Finished records leave the index. The summaries of the answer are built only when read.
/// </summary>
internal sealed class BatchView
{
    private readonly string[] _requested;
    private readonly RemediationRecord[] _records;
    private readonly Dictionary<string, int> _position = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset At, string Id)> _waiting = new();
    private readonly Dictionary<string, DateTimeOffset> _lookAt = new(StringComparer.Ordinal);

    public BatchView(IReadOnlyList<string> requested, IEnumerable<RemediationRecord> records, DateTimeOffset readAt)
    {
        _requested = [.. requested];
        // The answer lists records by instance, as a person reads them.
        _records = records.OrderBy(r => r.InstanceId, StringComparer.Ordinal).ThenBy(r => r.RemediationId, StringComparer.Ordinal).ToArray();
        for (var i = 0; i < _records.Length; i++)
        {
            _position[_records[i].RemediationId] = i;
            Index(_records[i]);
        }
        var known = _position.Keys.ToHashSet(StringComparer.Ordinal);
        Unknown = _requested.Distinct(StringComparer.Ordinal).Where(id => !known.Contains(id)).ToList();
        ReadAt = readAt;
    }

    /// <summary>When every record was last read from the store.</summary>
    public DateTimeOffset ReadAt { get; private set; }

    /// <summary>
    /// Takes a whole re-read of the same records in place: only a record whose version moved
    /// (another writer saved it) is indexed again, so the periodic re-read of a large batch costs
    /// a comparison a record instead of a sort and a rebuilt index. False, with nothing changed,
    /// when the store no longer holds exactly the records this view holds (the caller builds a new view).
    /// </summary>
    public bool TryRefresh(IReadOnlyList<RemediationRecord> records, DateTimeOffset readAt)
    {
        if (records.Count != _records.Length)
        {
            return false;
        }
        var moved = new List<RemediationRecord>();
        foreach (var record in records)
        {
            if (!_position.TryGetValue(record.RemediationId, out var at))
            {
                return false;
            }
            if (_records[at].Version != record.Version)
            {
                moved.Add(record);
            }
        }
        moved.ForEach(Put);
        ReadAt = readAt;
        return true;
    }

    public IReadOnlyList<string> Unknown { get; }

    public int Count => _records.Length;

    public bool Done => _waiting.Count == 0;

    /// <summary>The same ids asked for, in the same order, as when this view was read.</summary>
    public bool Matches(IReadOnlyList<string> requested) =>
        requested.Count == _requested.Length && requested.SequenceEqual(_requested, StringComparer.Ordinal);

    /// <summary>
    /// Unfinished records whose next look is due by <paramref name="now"/>, or within
    /// <paramref name="window"/> of it unless <paramref name="exact"/> says the record must not
    /// come early (a call waiting for its token would only be refused again).
    /// </summary>
    public List<RemediationRecord> Due(DateTimeOffset now, TimeSpan window, Func<string, bool> exact)
    {
        var due = new List<RemediationRecord>();
        foreach (var (at, id) in _waiting)
        {
            if (at > now + window)
            {
                break;
            }
            if (at <= now || !exact(id))
            {
                due.Add(_records[_position[id]]);
            }
        }
        return due;
    }

    /// <summary>The soonest next look of an unfinished record (null when all are finished).</summary>
    public DateTimeOffset? NextLook => _waiting.Count == 0 ? null : _waiting.Min.At;

    /// <summary>Keeps the copy just read or saved.</summary>
    public void Put(RemediationRecord record)
    {
        if (!_position.TryGetValue(record.RemediationId, out var at))
        {
            return;
        }
        if (_lookAt.Remove(record.RemediationId, out var was))
        {
            _waiting.Remove((was, record.RemediationId));
        }
        _records[at] = record;
        Index(record);
    }

    /// <summary>The records as they are now, for an answer that reads them later.</summary>
    public IReadOnlyList<RecordSummary> Summaries(DateTimeOffset now) => new LazySummaries((RemediationRecord[])_records.Clone(), now);

    private void Index(RemediationRecord record)
    {
        if (!record.IsFinished)
        {
            var at = record.NextLookAt ?? DateTimeOffset.MinValue;
            _lookAt[record.RemediationId] = at;
            _waiting.Add((at, record.RemediationId));
        }
    }

    /// <summary>Summaries made when first read: most Advances' answers are only asked whether they are done.</summary>
    private sealed class LazySummaries(RemediationRecord[] records, DateTimeOffset now) : IReadOnlyList<RecordSummary>
    {
        private readonly RecordSummary?[] _made = new RecordSummary?[records.Length];

        public RecordSummary this[int index] => _made[index] ??= RecordSummary.From(records[index], now);

        public int Count => records.Length;

        public IEnumerator<RecordSummary> GetEnumerator()
        {
            for (var i = 0; i < records.Length; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
