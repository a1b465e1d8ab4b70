using System.Collections.Immutable;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// One remediation of one instance for one incident: what started it, the plan, where it is,
/// what it changed (the undo log, written before each change) and how it ended.
/// Immutable: every change is a new copy saved with a conditional write.
/// </summary>
public sealed record RemediationRecord
{
    public required string RemediationId { get; init; }
    public required string InstanceId { get; init; }
    /// <summary>Plan name: fallback, offline-repair, reregister-ami, diagnose-only, or refused.</summary>
    public required string Plan { get; init; }
    /// <summary>Where the request came from (alarm, sweep, console, runbook, cli) and its reference.</summary>
    public required string Trigger { get; init; }
    public string? TriggerDetail { get; init; }
    public bool DryRun { get; init; }
    /// <summary>The step the record is in now; the reconciler decides the next one from observation.</summary>
    public string Step { get; init; } = InitialStep;
    public int Attempts { get; init; }
    public ImmutableList<UndoEntry> UndoLog { get; init; } = [];
    public ImmutableList<HistoryEntry> History { get; init; } = [];
    /// <summary>Free-form facts the plan keeps between steps (for example the state the instance was found in).</summary>
    public ImmutableDictionary<string, string> Memo { get; init; } = ImmutableDictionary<string, string>.Empty;
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? NextLookAt { get; init; }
    /// <summary>recovered, rolled-back, refused, failed, ami-registered, diagnosed; null while running.</summary>
    public string? Outcome { get; init; }
    public string? OutcomeReason { get; init; }
    /// <summary>Optimistic-concurrency version; the store bumps it on every save.</summary>
    public long Version { get; init; }

    public bool IsFinished => Outcome is not null;

    /// <summary>
    /// The instance the current steps observe and send commands to: the record's own, unless a plan
    /// moved on to an instance it launched (reregister-ami's replacements, memo <see cref="ActingOnMemo"/>).
    /// </summary>
    public string ActingOn => Memo.TryGetValue(ActingOnMemo, out var other) && other.Length > 0 ? other : InstanceId;

    public const string ActingOnMemo = "actingOn.instanceId";

    /// <summary>The step of a record no Advance has looked at yet.</summary>
    public const string InitialStep = "start";
}

/// <summary>How to reverse one change, recorded before the change is made.</summary>
public sealed record UndoEntry(string Action, string Description, ImmutableDictionary<string, string> Parameters, DateTimeOffset RecordedAt, bool Done = false);

/// <summary>One line of the audit log.</summary>
public sealed record HistoryEntry(DateTimeOffset At, string Step, string Event);
