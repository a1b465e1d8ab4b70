using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.Fallback;

/// <summary>
/// Undoes a failed fallback remediation to the best reachable state: enaSupport back on when the
/// instance was found healthy with it on (a forced run), otherwise off (the type supports it, and
/// the instance was unreachable with it on, or failed its status check once it was restored on);
/// the instance in the state it was found in. Reads the
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
                return FromStop(context, why);
            }
            return new StepDecision.Act(new SetEnaSupportAction(target), $"rollback: setting enaSupport {(target ? "on, as it was when the instance was healthy" : "off")}");
        }
        var outcome = instance.EnaSupport == target ? Outcomes.RolledBack : Outcomes.Failed;
        var endState = context.FoundStopped ? "stopped" : "running";
        return (endState, instance.State) switch
        {
            ("running", "running") => AwaitReachable(context, why, outcome, target),
            ("stopped", "stopped") => Finish(context, outcome, $"{why}; rolled back"),
            ("running", "stopped") => new StepDecision.Act(new StartAction(), "rollback: starting the instance again"),
            (_, "pending") => new StepDecision.Wait(TimeSpan.FromSeconds(15), "rollback: waiting (pending)"),
            _ => FromStop(context, why),
        };
    }

    /// <summary>
    /// A rollback to running is finished when the instance passes its status check again (or is
    /// given up on). An instance that fails it with enaSupport restored on is taken to off, once:
    /// it was healthy with ENA when found, but the stop/start booted a kernel whose ena module is
    /// missing, and on a type that runs without ENA, off is the state that reaches the network.
    /// </summary>
    private StepDecision AwaitReachable(StepContext context, string why, string outcome, bool target)
    {
        var instanceStatus = context.Facts.Status?.InstanceStatus;
        if (instanceStatus == "ok")
        {
            var kept = context.Memo(MemoKeys.EnaOnUnreachable) is not null
                ? "; enaSupport left off because with it on the instance failed its status check (the kernel it now boots has no working ena module)"
                : "";
            return Finish(context, outcome, $"{why}; rolled back{kept}, passing its status checks");
        }
        if (instanceStatus == "impaired" && target && context.Facts.TypeEnaSupport != "required")
        {
            var memo = ImmutableDictionary<string, string>.Empty
                .Add(MemoKeys.EnaOnUnreachable, context.Now.ToString("O"))
                .Add(MemoKeys.StopRequestedAt(Name), context.Now.ToString("O"));
            return new StepDecision.Act(new StopAction(false), "rollback: the instance check is impaired with enaSupport on; stopping to turn it off, the reachable state", Memo: memo);
        }
        // The second stop/start (to ENA off) gets the whole settling time again.
        var settling = context.MemoTime(MemoKeys.EnaOnUnreachable) is { } flippedAt && context.Now - flippedAt < context.InStepSinceCapacity
            ? context.Now - flippedAt : context.InStepSinceCapacity;
        if (settling > context.Options.HealthyTimeout + context.Options.StuckStoppingAfter)
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

    private StepDecision FromStop(StepContext context, string why) =>
        RollbackGuard.Stop(_stop, context, reason => Finish(context, Outcomes.Failed, $"{why}; rollback failed: {reason}"));
}
