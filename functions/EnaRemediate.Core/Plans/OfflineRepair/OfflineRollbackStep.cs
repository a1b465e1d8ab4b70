using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// Undoes a failed offline repair, each goal observed before the next: the root off the rescue;
/// when the repair ran and did not succeed (the volume may be half changed), a volume restored
/// from the snapshot becomes the root and the original is kept aside, tagged; the root attached
/// at the original device with its DeleteOnTermination; the rescue released (terminated when
/// unused); the instance in the state it was found in. The snapshot is always kept. The outcome
/// names everything that remains.
/// </summary>
public sealed class OfflineRollbackStep(VolumeMover mover, RescuePool pool) : IPlanStep
{
    private const string Observed = "rollback.volume.observed";
    private readonly StopStep _stop = new("rollback");

    public string Name => "rollback";
    public IReadOnlyList<string> Permissions { get; } =
        ["ec2:DescribeVolumes", "ec2:DetachVolume", "ec2:AttachVolume", "ec2:CreateVolume", "ec2:CreateTags", "ec2:ModifyInstanceAttribute", "ec2:DeleteTags", "ec2:TerminateInstances", "ec2:StartInstances", "ec2:StopInstances"];
    public IReadOnlySet<string> ValidOriginStates => AmiStep.AnyInstanceState;
    public EngineAction? PlannedAction(EngineOptions options) => null;

    public StepDecision Decide(StepContext context)
    {
        var why = context.Memo(MemoKeys.FailureReason) ?? "the offline repair failed";
        if (context.Record.UndoLog.Count == 0)
        {
            return new StepDecision.Finish(Outcomes.Failed, $"{why}; nothing had been changed");
        }
        if (context.Record.Attempts >= 2 * context.Options.MaxAttempts)
        {
            return new StepDecision.Finish(Outcomes.Failed, $"{why}; rollback gave up after {context.Record.Attempts} failed calls; {Remaining(context)}");
        }
        if (context.Memo(MemoKeys.FailedStep) is "release-rescue" or "cleanup-snapshot")
        {
            // The instance is repaired and validated: only the clean-up failed. Nothing to undo; release what can be released and say what remains.
            return context.Memo(OfflineMemo.RescueReleased) is null
                ? new StepDecision.Act(ReleaseRescueStep.Release(pool, context), "releasing the rescue instance")
                : new StepDecision.Finish(Outcomes.Recovered, $"repaired and validated, but {why}; {Remaining(context)}");
        }
        var instanceId = context.Record.InstanceId;
        var original = context.Memo(OfflineMemo.RootVolume);
        var rescue = context.Memo(OfflineMemo.RescueId);
        var snapshot = context.Memo(OfflineMemo.SnapshotId);
        var device = context.Memo(OfflineMemo.RootDevice);
        var changed = context.Memo(OfflineMemo.RepairSentAt) is not null && context.Memo(OfflineMemo.RepairPassed) != "true";
        if (original is not null && device is not null && context.Memo(OfflineMemo.ReattachRootUndo + ".done") is null
            && context.Record.UndoLog.Any(u => u.Action == OfflineMemo.ReattachRootUndo))
        {
            var seen = Observation.ParseVolume(Observation.Since(context, Observed, context.StepStartedAt));
            var root = changed && snapshot is not null ? context.Memo(OfflineMemo.RestoredVolume) : original;
            if (seen.State == "unknown")
            {
                return new StepDecision.Act(Look(root ?? original), "rollback: looking at the root volume");
            }
            if (rescue is not null && seen.AttachedTo == rescue)
            {
                return new StepDecision.Act(Call("ec2:DetachVolume", ct => mover.DetachAsync(original, rescue, ct)), $"rollback: detaching {original} from the rescue");
            }
            if (root is null)
            {
                return new StepDecision.Act(Restore(context, snapshot!, original), $"rollback: restoring the root from {snapshot} (the repair may have changed {original}; it is kept)");
            }
            if (!(seen.AttachedTo == instanceId && seen.Device == device && seen.AttachmentState == "attached"))
            {
                if (context.Facts.State != "stopped")
                {
                    return FromStop(why, context);
                }
                // Attach when available; otherwise (attaching, detaching, creating) look again: each look is a call paced by the reconciler.
                return seen.State == "available"
                    ? new StepDecision.Act(Call("ec2:AttachVolume", ct => mover.AttachAsync(root, instanceId, device, ct)), $"rollback: attaching {root} at {device}")
                    : new StepDecision.Act(Look(root), $"rollback: waiting for {root} ({seen.State} {seen.AttachmentState})");
            }
            if (context.Memo(OfflineMemo.RootDeleteOnTermination) == "true" && context.Memo(OfflineMemo.DeleteOnTerminationRestored) != "true")
            {
                return new StepDecision.Act(RestoreDeleteOnTerminationStep.Restore(mover.Port, context), "rollback: restoring DeleteOnTermination");
            }
        }
        // Also without a rescue id: a launch whose answer was lost is found by the claim tag it was launched with.
        if (context.Memo(OfflineMemo.RescueReleased) is null && (rescue is not null || context.Record.UndoLog.Any(u => u.Action == OfflineMemo.ReleaseRescueUndo)))
        {
            return new StepDecision.Act(ReleaseRescueStep.Release(pool, context), "rollback: releasing the rescue instance");
        }
        var state = context.Facts.State;
        return (context.FoundStopped ? "stopped" : "running", state) switch
        {
            (_, "terminated" or "shutting-down" or "not-found") => new StepDecision.Finish(Outcomes.Failed, $"{why}; the instance is {state}; {Remaining(context)}"),
            ("running", "running") or ("stopped", "stopped") => RollbackSettling.OnceAsFound(context, new StepDecision.Finish(Outcomes.RolledBack, $"{why}; rolled back: {Remaining(context)}, instance {state} as found")),
            ("running", "stopped") => new StepDecision.Act(new StartAction(), "rollback: starting the instance again"),
            (_, "pending") => new StepDecision.Wait(TimeSpan.FromSeconds(15), "rollback: waiting (pending)"),
            _ => FromStop(why, context),
        };
    }

    private PlanCall Look(string volume) => new("ec2:DescribeVolumes", $"look at {volume}", async ct =>
        Observation.Of(Observed, Observation.Volume(await mover.Port.DescribeVolumeAsync(volume, ct)), mover.Now));

    /// <summary>A mover call whose observation is kept under the rollback's key.</summary>
    private static PlanCall Call(string action, Func<CancellationToken, Task<ImmutableDictionary<string, string>>> move) => new(action, "rollback volume move", async ct =>
    {
        var seen = await move(ct);
        return Observation.Of(Observed, seen[VolumeMover.Observed], DateTimeOffset.Parse(seen[Observation.AtKey(VolumeMover.Observed)], System.Globalization.CultureInfo.InvariantCulture));
    });

    private PlanCall Restore(StepContext context, string snapshot, string original) => new("ec2:CreateVolume", $"restore a root from {snapshot}", async ct =>
    {
        var rid = context.Record.RemediationId;
        var restored = await mover.Port.CreateVolumeFromSnapshotAsync(snapshot, context.Memo(OfflineMemo.Zone)!, context.Memo(OfflineMemo.VolumeType),
            new Dictionary<string, string> { [RescueTags.LaunchedBy] = context.Options.Nitro.StackName, [RescueTags.RemediationId] = rid, ["Name"] = $"enaremediate-{context.Record.InstanceId}-restored-root" }, rid, ct);
        await mover.Port.TagVolumeAsync(original, new Dictionary<string, string> { [RescueTags.OriginalRootOf] = context.Record.InstanceId }, ct);
        return Observation.Of(Observed, Observation.Volume(await mover.Port.DescribeVolumeAsync(restored, ct)), mover.Now).Add(OfflineMemo.RestoredVolume, restored);
    });

    private StepDecision FromStop(string why, StepContext context) =>
        RollbackGuard.Stop(_stop, context, reason => new StepDecision.Finish(Outcomes.Failed, $"{why}; rollback could not stop the instance: {reason}; {Remaining(context)}"));

    /// <summary>What stays changed, for the operator: the snapshot, a kept original, the rescue.</summary>
    private static string Remaining(StepContext context)
    {
        var parts = new List<string>();
        var original = context.Memo(OfflineMemo.RootVolume);
        if (context.Memo(OfflineMemo.RestoredVolume) is { } restored)
        {
            parts.Add($"root restored from the snapshot as {restored}; the original {original} is kept, detached and tagged {RescueTags.OriginalRootOf}");
        }
        else if (original is not null)
        {
            parts.Add($"original root {original} back at {context.Memo(OfflineMemo.RootDevice)}");
        }
        if (context.Memo(OfflineMemo.SnapshotId) is { } snapshot && context.Memo(OfflineMemo.SnapshotDeleted) is null)
        {
            parts.Add($"snapshot {snapshot} kept");
        }
        if (context.Memo(OfflineMemo.RescueReleased) is { } released)
        {
            parts.Add(released);
        }
        else if (context.Memo(OfflineMemo.RescueId) is { } rescue)
        {
            parts.Add($"rescue {rescue} still claimed: release it by hand");
        }
        return parts.Count == 0 ? "nothing changed" : string.Join("; ", parts);
    }
}
