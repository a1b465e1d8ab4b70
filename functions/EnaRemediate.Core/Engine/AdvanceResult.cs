namespace EnaRemediate.Core.Engine;

/// <summary>
/// The answer of one Advance: whether every record has an outcome, how long to wait before the
/// next Advance (Step Functions' Wait SecondsPath), and a summary of each record.
/// </summary>
public sealed record AdvanceResult(bool Done, int WaitSeconds, IReadOnlyList<RecordSummary> Records)
{
    /// <summary>Requested ids the store does not know (never an error: nothing to advance).</summary>
    public IReadOnlyList<string> UnknownRemediationIds { get; init; } = [];
}

/// <summary>One record as a person or a state machine wants to see it.</summary>
public sealed record RecordSummary(
    string RemediationId,
    string InstanceId,
    string Plan,
    string Step,
    string? Outcome,
    string? OutcomeReason,
    string? LastEvent,
    DateTimeOffset CreatedAt,
    double ElapsedSeconds,
    DateTimeOffset? NextLookAt,
    bool DryRun)
{
    /// <summary>The steps the record has been in, in order (from its audit log).</summary>
    public IReadOnlyList<string> StepsTaken { get; init; } = [];

    /// <summary>After a rollback: what is left changed and how to undo it (enaSupport, state, the DKMS module); null otherwise.</summary>
    public string? Remains { get; init; }

    /// <summary>What was wrong and what stays changed, for notifications.</summary>
    public Notifications.RecordStory? Story { get; init; }

    public static RecordSummary From(RemediationRecord record, DateTimeOffset now) => new(
        record.RemediationId,
        record.InstanceId,
        record.Plan,
        record.Step,
        record.Outcome,
        record.OutcomeReason,
        record.History.Count == 0 ? null : record.History[^1].Event,
        record.CreatedAt,
        ((record.IsFinished ? record.UpdatedAt : now) - record.CreatedAt).TotalSeconds,
        record.NextLookAt,
        record.DryRun)
    {
        Remains = record.Memo.GetValueOrDefault(Plans.MemoKeys.Remains),
        Story = Notifications.RecordStory.Of(record),
        StepsTaken = record.History.Select(h => h.Step)
            .Where(s => s != RemediationRecord.InitialStep)
            .Aggregate(new List<string>(), (steps, step) => { if (steps.Count == 0 || steps[^1] != step) { steps.Add(step); } return steps; }),
    };
}
