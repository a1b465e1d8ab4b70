using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.Fallback;

/// <summary>
/// Undoes a failed fallback remediation to the best reachable state: enaSupport back on when the
/// instance was found healthy with it on (a forced run), otherwise off (the type supports it, and
/// the instance was unreachable with it on); the instance in the state it was found in. Reads the
/// undo log: with nothing recorded, nothing was changed and the record simply ends failed. Should
/// enaSupport refuse to change after repeated attempts, the instance is still returned to its
/// found state. The outcome's reason and the record's "remains" memo say exactly what is left
/// changed, including the DKMS module the install left and how to remove it.
/// </summary>
public sealed class FallbackRollbackStep : IPlanStep
{
    private readonly StopStep _stop = new("rollback");

    public string Name => "rollback";
    public IReadOnlyList<string> Permissions => RollbackGuard.StopModifyStartPermissions;
    public IReadOnlySet<string> ValidOriginStates => RollbackGuard.AnyLiveState;
    public EngineAction? PlannedAction(EngineOptions options) => null;

    public StepDecision Decide(StepContext context)
    {
        var why = context.Memo(MemoKeys.FailureReason) ?? "the remediation failed";
        if (RollbackGuard.NothingToUndo(context, why) is { } end)
        {
            return end;
        }
        var instance = context.Facts.Instance!;
        var attempts = context.Record.Attempts;
        var max = context.Options.MaxAttempts;
        if (attempts >= 2 * max)
        {
            return Finish(context, Outcomes.Failed, $"{why}; rollback gave up after {attempts} failed calls");
        }
        // enaSupport changes only while stopped; give up on it (but still restore the state) when EC2 keeps refusing or ignoring it.
        var target = WhatRemains.TargetEnaSupport(context);
        var changeEna = instance.EnaSupport != target && attempts < max
            && context.CallsMade("ec2:ModifyInstanceAttribute") < context.Options.MaxCallsPerStep;
        if (changeEna)
        {
            if (instance.State != "stopped")
            {
                return FromStop(_stop.Decide(context), context, why);
            }
            return new StepDecision.Act(new SetEnaSupportAction(target), $"rollback: setting enaSupport {(target ? "on, as it was when the instance was healthy" : "off")}");
        }
        var outcome = instance.EnaSupport == target ? Outcomes.RolledBack : Outcomes.Failed;
        var endState = context.FoundStopped ? "stopped" : "running";
        return (endState, instance.State) switch
        {
            ("running", "running") => AwaitReachable(context, why, outcome),
            ("stopped", "stopped") => Finish(context, outcome, $"{why}; rolled back"),
            ("running", "stopped") => new StepDecision.Act(new StartAction(), "rollback: starting the instance again"),
            (_, "pending" or "stopping") => new StepDecision.Wait(TimeSpan.FromSeconds(15), $"rollback: waiting ({instance.State})"),
            _ => FromStop(_stop.Decide(context), context, why),
        };
    }

    /// <summary>A rollback to running is finished when the instance passes its status check again (or is given up on).</summary>
    private static StepDecision AwaitReachable(StepContext context, string why, string outcome)
    {
        var instanceStatus = context.Facts.Status?.InstanceStatus;
        if (instanceStatus == "ok")
        {
            return Finish(context, outcome, $"{why}; rolled back, passing its status checks");
        }
        if (context.InStepSinceCapacity > context.Options.HealthyTimeout + context.Options.StuckStoppingAfter)
        {
            return Finish(context, Outcomes.Failed, $"{why}; rolled back but the instance status check is {instanceStatus ?? "unknown"}");
        }
        return new StepDecision.Wait(TimeSpan.FromSeconds(30), $"rollback: waiting for the status checks (instance check {instanceStatus ?? "unknown"})");
    }

    /// <summary>Ends the record saying what remains changed, in the reason and in the memo.</summary>
    private static StepDecision Finish(StepContext context, string outcome, string reason)
    {
        var remains = WhatRemains.Describe(context, context.Facts);
        return new StepDecision.Finish(outcome, $"{reason}. What remains: {remains}",
            ImmutableDictionary<string, string>.Empty.Add(MemoKeys.Remains, remains));
    }

    /// <summary>The inner stop's failure ends the rollback (it would otherwise start another rollback).</summary>
    private static StepDecision FromStop(StepDecision decision, StepContext context, string why) => decision switch
    {
        StepDecision.Fail fail => Finish(context, Outcomes.Failed, $"{why}; rollback failed: {fail.Reason}"),
        StepDecision.Next => new StepDecision.Wait(TimeSpan.FromSeconds(1), "rollback: stopped"),
        _ => decision,
    };
}
