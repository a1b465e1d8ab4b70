using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.Fallback;

/// <summary>
/// Undoes a failed fallback remediation to the safest reachable state: enaSupport off (the type
/// supports it, and the instance was unreachable with it on) and the instance in the state it was
/// found in (running, unless it was found stopped). Reads the undo log: with nothing recorded,
/// nothing was changed and the record simply ends failed. Should enaSupport refuse to change
/// after repeated attempts, the instance is still returned to its found state.
/// </summary>
public sealed class FallbackRollbackStep : IPlanStep
{
    private readonly StopStep _stop = new("rollback");

    public string Name => "rollback";
    public IReadOnlyList<string> Permissions { get; } = ["ec2:StopInstances", "ec2:ModifyInstanceAttribute", "ec2:StartInstances"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "running", "stopping", "stopped" };
    public EngineAction? PlannedAction(EngineOptions options) => null;

    public StepDecision Decide(StepContext context)
    {
        var why = context.Memo(MemoKeys.FailureReason) ?? "the remediation failed";
        if (context.Record.UndoLog.Count == 0)
        {
            return new StepDecision.Finish(Outcomes.Failed, $"{why}; nothing had been changed");
        }
        if (context.Facts.Instance is not { } instance || instance.State is "terminated" or "shutting-down")
        {
            return new StepDecision.Finish(Outcomes.Failed, $"{why}; rollback impossible: the instance is {context.Facts.State}");
        }
        var attempts = context.Record.Attempts;
        var max = context.Options.MaxAttempts;
        if (attempts >= 2 * max)
        {
            return new StepDecision.Finish(Outcomes.Failed, $"{why}; rollback gave up after {attempts} failed calls with the instance {instance.State}, enaSupport {(instance.EnaSupport ? "on" : "off")}");
        }
        // ENA off needs the instance stopped; give up on it (but still restore the state) when EC2 keeps refusing.
        var wantEnaOff = instance.EnaSupport && attempts < max;
        if (wantEnaOff)
        {
            if (instance.State != "stopped")
            {
                return FromStop(_stop.Decide(context), why);
            }
            return new StepDecision.Act(new SetEnaSupportAction(false), "rollback: setting enaSupport off");
        }
        var endState = context.FoundStopped ? "stopped" : "running";
        var ena = instance.EnaSupport ? "on (EC2 refused to turn it off)" : "off";
        return (endState, instance.State) switch
        {
            ("running", "running") => AwaitReachable(context, why, ena),
            ("stopped", "stopped") => new StepDecision.Finish(
                instance.EnaSupport ? Outcomes.Failed : Outcomes.RolledBack,
                $"{why}; rolled back: enaSupport {ena}, instance stopped as found"),
            ("running", "stopped") => new StepDecision.Act(new StartAction(), "rollback: starting the instance again"),
            (_, "pending" or "stopping") => new StepDecision.Wait(TimeSpan.FromSeconds(15), $"rollback: waiting ({instance.State})"),
            _ => FromStop(_stop.Decide(context), why),
        };
    }

    /// <summary>A rollback to running is finished when the instance passes its status check again (or is given up on).</summary>
    private static StepDecision AwaitReachable(StepContext context, string why, string ena)
    {
        var instanceStatus = context.Facts.Status?.InstanceStatus;
        var outcome = context.Facts.Instance!.EnaSupport ? Outcomes.Failed : Outcomes.RolledBack;
        if (instanceStatus == "ok")
        {
            return new StepDecision.Finish(outcome, $"{why}; rolled back: enaSupport {ena}, instance running and passing its status checks");
        }
        if (context.InStepFor > context.Options.HealthyTimeout + context.Options.StuckStoppingAfter)
        {
            return new StepDecision.Finish(Outcomes.Failed, $"{why}; rolled back to enaSupport {ena} and running, but the instance status check is {instanceStatus ?? "unknown"}");
        }
        return new StepDecision.Wait(TimeSpan.FromSeconds(30), $"rollback: waiting for the status checks (instance check {instanceStatus ?? "unknown"})");
    }

    /// <summary>The inner stop's failure ends the rollback (it would otherwise start another rollback).</summary>
    private static StepDecision FromStop(StepDecision decision, string why) => decision switch
    {
        StepDecision.Fail fail => new StepDecision.Finish(Outcomes.Failed, $"{why}; rollback failed: {fail.Reason}"),
        StepDecision.Next => new StepDecision.Wait(TimeSpan.FromSeconds(1), "rollback: stopped"),
        _ => decision,
    };
}
