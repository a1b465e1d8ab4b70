using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.Steps;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Plans.TypeSwap;

/// <summary>
/// Sets the instance type of the stopped instance: to the stand-in triage chose, or back to the
/// type it was found with. Before the first change the original type is recorded (memo and undo),
/// so every later step and the rollback know what to restore.
/// </summary>
public sealed class SetInstanceTypeStep(string name, bool toStandIn, INitroPort nitro) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ec2:ModifyInstanceAttribute"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "stopped" };

    public EngineAction? PlannedAction(EngineOptions options) => new PlannedTypeChange(toStandIn);

    /// <summary>It reads the state and the type, never the checks or the agent (the instance is stopped).</summary>
    public bool ObservesHealth(RemediationRecord record) => false;

    public StepDecision Decide(StepContext context)
    {
        var instance = context.Facts.Instance;
        if (context.Facts.State != "stopped" || instance?.InstanceType is not { } current)
        {
            return new StepDecision.Fail($"expected the instance stopped to change its type, found it {context.Facts.State}");
        }
        var original = context.Memo(TypeSwapMemo.OriginalType);
        var target = toStandIn ? context.Memo(NitroRouting.StandInMemo) : original;
        if (target is null)
        {
            return new StepDecision.Fail(toStandIn ? "triage recorded no stand-in type" : "the original type was not recorded");
        }
        if (current == target)
        {
            return new StepDecision.Next($"instance type is {target}");
        }
        var call = new PlanCall("ec2:ModifyInstanceAttribute", $"InstanceType {current} → {target}", async ct =>
        {
            await nitro.SetInstanceTypeAsync(context.Record.InstanceId, target, dryRun: false, ct);
            return null;
        });
        if (original is not null)
        {
            return new StepDecision.Act(call, $"setting the instance type to {target}");
        }
        var undo = new UndoEntry(TypeSwapMemo.RestoreTypeUndo, $"the instance type was {current} when found",
            ImmutableDictionary<string, string>.Empty.Add("type", current), context.Now);
        return new StepDecision.Act(call, $"setting the instance type to the stand-in {target} (was {current})", undo,
            ImmutableDictionary<string, string>.Empty.Add(TypeSwapMemo.OriginalType, current));
    }
}
