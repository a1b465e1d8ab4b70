using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Core.Plans.Standby;

namespace EnaRemediate.Core.Notifications;

/// <summary>
/// What a person asks of a finished (or running) record besides its outcome: what was wrong, and
/// what stays changed on the instance or in the account, read from the triage line, the memo and
/// the undo log (which is written before every change, so it names everything that may remain).
/// </summary>
public sealed record RecordStory(string? Problem, IReadOnlyList<string> RemainingChanges)
{
    private const string TriagePrefix = "triage: ";
    private const string InstallStep = "install-driver";

    public static RecordStory Of(RemediationRecord record) => new(ProblemOf(record), Remaining(record));

    /// <summary>The triage line ("triage: PLAN: REASON") keeps why the instance was taken on, or refused.</summary>
    private static string? ProblemOf(RemediationRecord record)
    {
        var triage = record.History.FirstOrDefault(h => h.Event.StartsWith(TriagePrefix, StringComparison.Ordinal))?.Event;
        if (triage is null) return null;
        var reason = triage[TriagePrefix.Length..];
        var colon = reason.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? reason : reason[(colon + 2)..];
    }

    private static IReadOnlyList<string> Remaining(RemediationRecord record)
    {
        var changes = new List<string>();
        var driver = record.Memo.GetValueOrDefault(MemoKeys.EnaModuleVersion);
        var installReached = record.History.Any(h => h.Step == InstallStep);
        switch (record.Outcome)
        {
            case Outcomes.Refused or Outcomes.DryRun or Outcomes.Diagnosed:
                return [];
            case Outcomes.Recovered:
                changes.Add($"the ENA driver {driver ?? "from the driver bundle"} is installed through DKMS for every kernel (kept: it is the fix)");
                return changes;
            case Outcomes.AmiRegistered:
                if (record.Memo.GetValueOrDefault(AmiMemo.NewImageId) is { } image)
                    changes.Add($"a new AMI {image} with EnaSupport off (deregister it when no longer wanted)");
                if (record.Memo.GetValueOrDefault(AmiMemo.ReplacementInstanceId) is { } replacement)
                    changes.Add($"a replacement instance {replacement} launched from it, ENA off (terminate it if not wanted)");
                return changes;
        }
        // A rollback that wrote its own account of what is left (enaSupport, state, type, the DKMS module) is the best source.
        var account = record.Memo.GetValueOrDefault(Plans.MemoKeys.Remains);
        if (account is { Length: > 0 }) changes.Add(account);
        changes.AddRange(record.UndoLog
            .Where(u => !u.Done && !(u.Action == StandbyPlan.UndoExitStandby && record.Memo.ContainsKey(StandbyPlan.ExitedMemo)))
            .Where(u => account is null || u.Action is not (UndoActions.RestoreEnaSupport or UndoActions.StartAgain))
            .Select(u => StillChanged(u, record.Outcome)).OfType<string>());
        if (installReached && record.Outcome is not null)
            changes.Add("the driver install ran: an ena module may have been added to DKMS (dkms status ena)");
        return changes;
    }

    /// <summary>A rollback restores the found state except enaSupport, which it leaves off on purpose (that keeps the instance reachable).</summary>
    private static string? StillChanged(UndoEntry undo, string? outcome) => (undo.Action, outcome) switch
    {
        (UndoActions.RestoreEnaSupport, Outcomes.RolledBack) => $"enaSupport is left off ({undo.Description}): the instance runs without ENA until the driver is fixed",
        (UndoActions.StartAgain, Outcomes.RolledBack) => null,
        _ => $"recorded change: {undo.Description}",
    };
}
