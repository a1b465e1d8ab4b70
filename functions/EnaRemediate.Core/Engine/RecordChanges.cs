using System.Collections.Immutable;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Core.Engine;

/// <summary>The few ways the reconciler changes a record, each returning a new copy.</summary>
internal static class RecordChanges
{
    /// <summary>The audit log keeps its most recent entries only, so a long wait cannot grow a record without bound.</summary>
    private const int MaxHistory = 200;

    public static RemediationRecord WithEvent(this RemediationRecord record, DateTimeOffset now, string text)
    {
        var history = record.History.Add(new HistoryEntry(now, record.Step, text));
        if (history.Count > MaxHistory)
        {
            history = history.RemoveRange(0, history.Count - MaxHistory);
        }
        return record with { History = history, UpdatedAt = now };
    }

    public static RemediationRecord WithMemo(this RemediationRecord record, ImmutableDictionary<string, string>? memo) =>
        memo is null ? record : record with { Memo = record.Memo.SetItems(memo) };

    public static RemediationRecord MoveTo(this RemediationRecord record, string step, DateTimeOffset now) =>
        record with
        {
            Step = step,
            Attempts = 0,
            // Each step gets its own capacity retry window.
            Memo = record.Memo.SetItem(MemoKeys.StepStartedAt, now.ToString("O")).RemoveRange([MemoKeys.CapacitySince, MemoKeys.CapacityTries, MemoKeys.CapacityLastRefusedAt]),
            UpdatedAt = now,
        };

    public static RemediationRecord Finish(this RemediationRecord record, string outcome, string reason, DateTimeOffset now) =>
        record.WithEvent(now, $"{outcome}: {reason}") with { Step = "done", Outcome = outcome, OutcomeReason = reason, NextLookAt = null };

    public static string? LastEvent(this RemediationRecord record) => record.History.Count == 0 ? null : record.History[^1].Event;
}
