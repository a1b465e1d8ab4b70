namespace EnaRemediate.Core.Plans.Steps;

/// <summary>The ends every plan's rollback shares before it undoes anything: nothing was changed, or the instance is gone.</summary>
internal static class RollbackGuard
{
    public static StepDecision.Finish? NothingToUndo(StepContext context, string why) =>
        context.Record.UndoLog.Count == 0 ? new(Outcomes.Failed, $"{why}; nothing had been changed")
        : context.Facts.Instance is not { State: not ("terminated" or "shutting-down") } ? new(Outcomes.Failed, $"{why}; rollback impossible: the instance is {context.Facts.State}")
        : null;
}
