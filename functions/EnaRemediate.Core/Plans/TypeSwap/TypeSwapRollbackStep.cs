using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.Steps;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Plans.TypeSwap;

/// <summary>
/// Undoes a failed type-swap: the original type always (stopping the instance for it), enaSupport
/// as found (on: the original type requires it), then the state it was found in. It says what
/// stays changed (a DKMS module installed on the stand-in is kept: it is harmless and helps the
/// next attempt) and, when the swap failed before the driver was installed, that offline repair
/// is the next route.
/// </summary>
public sealed class TypeSwapRollbackStep(INitroPort nitro) : IPlanStep
{
    private readonly StopStep _stop = new("rollback");

    public string Name => "rollback";
    public IReadOnlyList<string> Permissions => RollbackGuard.StopModifyStartPermissions;
    public IReadOnlySet<string> ValidOriginStates => RollbackGuard.AnyLiveState;
    public EngineAction? PlannedAction(EngineOptions options) => null;

    public StepDecision Decide(StepContext context)
    {
        var why = context.Memo(MemoKeys.FailureReason) ?? "the type-swap failed";
        if (RollbackGuard.NothingToUndo(context, why) is { } end)
        {
            return end;
        }
        var instance = context.Facts.Instance!;
        if (context.Record.Attempts >= 2 * context.Options.MaxAttempts)
        {
            return new StepDecision.Finish(Outcomes.Failed, $"{why}; rollback gave up after {context.Record.Attempts} failed calls: the instance is {instance.State}, type {instance.InstanceType}, enaSupport {(instance.EnaSupport ? "on" : "off")}");
        }
        var original = context.Memo(TypeSwapMemo.OriginalType) ?? instance.InstanceType;
        var foundEna = context.Memo(MemoKeys.FoundEnaSupport) != "false";
        var typeWrong = instance.InstanceType != original;
        var enaWrong = instance.EnaSupport != foundEna;
        if (typeWrong || enaWrong)
        {
            if (instance.State != "stopped")
            {
                return RollbackGuard.Stop(_stop, context, reason => new StepDecision.Finish(Outcomes.Failed, $"{why}; rollback could not stop the instance to restore type {original}: {reason}"));
            }
            if (typeWrong)
            {
                return new StepDecision.Act(new PlanCall("ec2:ModifyInstanceAttribute", $"InstanceType back to {original}", async ct =>
                {
                    await nitro.SetInstanceTypeAsync(context.Record.InstanceId, original!, dryRun: false, ct);
                    return null;
                }), $"rollback: restoring the original type {original}");
            }
            return new StepDecision.Act(new SetEnaSupportAction(foundEna), $"rollback: enaSupport back {(foundEna ? "on" : "off")}");
        }
        var next = context.Memo(MemoKeys.DriverValidated) is null
            ? ImmutableDictionary<string, string>.Empty.Add(TypeSwapMemo.NextRoute, PlanNames.OfflineRepair)
            : null;
        var advice = next is null ? "" : "; next: offline repair (enaremediate remediate --route offline-repair)";
        var done = $"{why}; rolled back: original type {original}, enaSupport {(foundEna ? "on" : "off")}";
        return (context.FoundStopped ? "stopped" : "running", instance.State) switch
        {
            ("stopped", "stopped") or ("running", "running") => RollbackSettling.OnceAsFound(context, new StepDecision.Finish(Outcomes.RolledBack, $"{done}, instance {instance.State} as found{advice}", next)),
            ("running", "stopped") => new StepDecision.Act(new StartAction(), "rollback: starting the instance again"),
            (_, "pending") => new StepDecision.Wait(TimeSpan.FromSeconds(15), "rollback: waiting (pending)"),
            _ => RollbackGuard.Stop(_stop, context, reason => new StepDecision.Finish(Outcomes.Failed, $"{done}; but the instance could not be stopped as it was found: {reason}")),
        };
    }
}
