namespace EnaRemediate.Core.Plans.Steps;

/// <summary>The ends every plan's rollback shares before it undoes anything: nothing was changed, or the instance is gone.</summary>
internal static class RollbackGuard
{
    /// <summary>What the stop/attribute/start rollbacks (fallback, type-swap) may call, and from which states.</summary>
    public static readonly IReadOnlyList<string> StopModifyStartPermissions = ["ec2:StopInstances", "ec2:ModifyInstanceAttribute", "ec2:StartInstances"];
    public static readonly IReadOnlySet<string> AnyLiveState = new HashSet<string> { "running", "stopping", "stopped" };

    public static StepDecision.Finish? NothingToUndo(StepContext context, string why) =>
        context.Record.UndoLog.Count == 0 ? new(Outcomes.Failed, $"{why}; nothing had been changed")
        : context.Facts.Instance is not { State: not ("terminated" or "shutting-down") } ? new(Outcomes.Failed, $"{why}; rollback impossible: the instance is {context.Facts.State}")
        : null;

    /// <summary>
    /// A rollback's own stop (also of an instance left stopping, which the stop step forces): its
    /// failure ends the rollback in <paramref name="failed"/>'s words (a rollback never starts another
    /// rollback); stopped goes on at the next look.
    /// </summary>
    public static StepDecision Stop(StopStep stop, StepContext context, Func<string, StepDecision> failed) => stop.Decide(context) switch
    {
        StepDecision.Fail fail => failed(fail.Reason),
        StepDecision.Next => new StepDecision.Wait(TimeSpan.FromSeconds(1), "rollback: stopped"),
        var decision => decision,
    };
}
