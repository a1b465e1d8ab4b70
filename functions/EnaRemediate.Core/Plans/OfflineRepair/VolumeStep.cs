using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>The four moves of the root volume, in the order the plan makes them.</summary>
public enum VolumeMove
{
    DetachFromInstance,
    AttachToRescue,
    DetachFromRescue,
    AttachToInstance,
}

/// <summary>
/// Moves the root volume one step (detach from the instance, attach to the rescue, and back) and
/// ends when the volume is observed where it should be. The first detach records the undo
/// "reattach the root as it was" before the call. The instance stays stopped throughout.
/// </summary>
public sealed class VolumeStep(string name, VolumeMove move, VolumeMover mover) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = move is VolumeMove.AttachToRescue or VolumeMove.AttachToInstance
        ? ["ec2:AttachVolume", "ec2:DescribeVolumes"]
        : ["ec2:DetachVolume", "ec2:DescribeVolumes"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "stopped" };

    public EngineAction? PlannedAction(EngineOptions options) => move switch
    {
        VolumeMove.DetachFromInstance => PlanCall.Planned("ec2:DetachVolume", "detach the root volume"),
        VolumeMove.AttachToRescue => PlanCall.Planned("ec2:AttachVolume", "attach the root volume to the rescue instance"),
        VolumeMove.DetachFromRescue => PlanCall.Planned("ec2:DetachVolume", "detach the root volume from the rescue instance"),
        _ => PlanCall.Planned("ec2:AttachVolume", "reattach the root volume as the original root device"),
    };

    public StepDecision Decide(StepContext context)
    {
        var volume = context.Memo(OfflineMemo.RootVolume)!;
        var instance = context.Record.InstanceId;
        var rescue = context.Memo(OfflineMemo.RescueId)!;
        var (target, device) = move switch
        {
            VolumeMove.AttachToRescue => (rescue, context.Memo(OfflineMemo.RescueDevice)!),
            VolumeMove.AttachToInstance => (instance, context.Memo(OfflineMemo.RootDevice)!),
            VolumeMove.DetachFromRescue => (rescue, ""),
            _ => (instance, ""),
        };
        var attach = move is VolumeMove.AttachToRescue or VolumeMove.AttachToInstance;
        var seen = Observation.ParseVolume(Observation.Since(context, VolumeMover.Observed, context.StepStartedAt));
        var reached = attach
            ? seen.AttachedTo == target && seen.Device == device && seen.AttachmentState == "attached"
            : seen.State == "available";
        if (reached)
        {
            return new StepDecision.Next(attach ? $"{volume} attached to {target} at {device}" : $"{volume} detached");
        }
        if (seen.State == "missing")
        {
            return new StepDecision.Fail($"the volume {volume} no longer exists");
        }
        if (context.InStepFor > context.Options.Nitro.VolumeTimeout)
        {
            return new StepDecision.Fail($"{volume} did not {(attach ? "attach" : "detach")} within {context.Options.Nitro.VolumeTimeout.TotalMinutes:0} minutes ({seen.State} {seen.AttachmentState})");
        }
        // A move EBS is carrying out is only looked at: the look is paced as the read it is, not as a move.
        var underWay = seen.AttachedTo == target && seen.AttachmentState == (attach ? "attaching" : "detaching");
        var call = underWay
            ? new PlanCall("ec2:DescribeVolumes", $"look at {volume}", async ct => await mover.LookAsync(volume, ct)) { Reads = mover.ReadOf(volume) }
            : attach
                ? new PlanCall("ec2:AttachVolume", $"attach {volume} to {target} at {device}", async ct => await mover.AttachAsync(volume, target, device, ct)) { AlsoCalls = VolumeMover.LooksPerMove, Reads = mover.ReadOf(volume) }
                : new PlanCall("ec2:DetachVolume", $"detach {volume} from {target}", async ct => await mover.DetachAsync(volume, target, ct)) { AlsoCalls = VolumeMover.LooksPerMove, Reads = mover.ReadOf(volume) };
        UndoEntry? undo = move == VolumeMove.DetachFromInstance && context.Record.UndoLog.All(u => u.Action != OfflineMemo.ReattachRootUndo)
            ? new UndoEntry(OfflineMemo.ReattachRootUndo, $"reattach {volume} to {instance} at {context.Memo(OfflineMemo.RootDevice)} (DeleteOnTermination {context.Memo(OfflineMemo.RootDeleteOnTermination)})",
                ImmutableDictionary<string, string>.Empty.Add("volume", volume).Add("device", context.Memo(OfflineMemo.RootDevice)!), context.Now)
            : null;
        return new StepDecision.Act(call, attach ? $"attaching {volume} to {target} at {device}" : $"detaching {volume} from {target}", undo);
    }
}
