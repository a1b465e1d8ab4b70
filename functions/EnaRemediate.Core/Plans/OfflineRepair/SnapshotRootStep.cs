using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// A snapshot of the stopped root (a consistent file system) tagged with the remediation id, so a
/// repeat after a crash finds it instead of taking another. Its undo entry (restore from it) is
/// recorded before the call. <c>snapshot-root</c> takes it and ends once EBS holds the point in
/// time (pending: the volume may be moved meanwhile without changing the snapshot);
/// <c>await-snapshot</c>, just before the repair writes to the volume, ends when it is completed,
/// because it is what a failed repair is restored from.
/// </summary>
/// <param name="snapshots">the plan's snapshot reads: a look reads every snapshot its fleet waits on in one DescribeSnapshots.</param>
public sealed class SnapshotRootStep(string name, bool untilCompleted, INitroPort nitro, PrimedReads<SnapshotState> snapshots, TimeProvider time) : IPlanStep
{
    /// <summary>EBS takes 30 s to minutes to complete a root's snapshot; by the gate most of it has passed while the volume moved.</summary>
    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(10);

    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ec2:CreateSnapshot", "ec2:CreateTags", "ec2:DescribeSnapshots"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "stopped" };
    public EngineAction? PlannedAction(EngineOptions options) =>
        untilCompleted ? null : PlanCall.Planned("ec2:CreateSnapshot", "snapshot the root volume (kept until the repair succeeds)");

    public StepDecision Decide(StepContext context)
    {
        var volume = context.Memo(OfflineMemo.RootVolume)!;
        var rid = context.Record.RemediationId;
        var state = Observation.Since(context, OfflineMemo.SnapshotState, context.StepStartedAt);
        if (context.Memo(OfflineMemo.SnapshotId) is { } snapshot && (state == "completed" || (state == "pending" && !untilCompleted)))
        {
            return new StepDecision.Next($"snapshot {snapshot} of {volume} {(state == "completed" ? "completed" : "taken (completing while the root moves)")}");
        }
        if (state == "error")
        {
            return new StepDecision.Fail($"the snapshot of {volume} failed");
        }
        if (context.InStepFor > context.Options.CommandTimeout)
        {
            return new StepDecision.Fail($"the snapshot of {volume} did not complete within {context.Options.CommandTimeout.TotalMinutes:0} minutes");
        }
        if (state is not null && Observation.Age(context, OfflineMemo.SnapshotState) is { } age && age < LookEvery)
        {
            return new StepDecision.Wait(LookEvery - age, $"waiting for the snapshot ({state})");
        }
        var tag = KeyValuePair.Create(RescueTags.RemediationId, rid);
        var known = context.Memo(OfflineMemo.SnapshotId);
        // Once the snapshot exists the call only watches it: a read, so the per-step limit on accepted mutating calls does not count the polls.
        var action = known is null ? "ec2:CreateSnapshot" : "ec2:DescribeSnapshots";
        // Only a call decided before (its answer lost to a crash or a failure) may have taken one:
        // then it looks for the snapshot by its tag first. A new snapshot is pending, as CreateSnapshot answers.
        var mayExist = known is null && context.Memo(OfflineMemo.SnapshotRequestedAt) is not null;
        var call = new PlanCall(action, $"snapshot {volume}", async ct =>
        {
            var existing = known is not null ? await snapshots.TakeOrReadAsync(known, c => nitro.DescribeSnapshotAsync(known, null, c), ct)
                : mayExist ? await nitro.DescribeSnapshotAsync(null, tag, ct)
                : null;
            var id = existing?.SnapshotId ?? await nitro.CreateSnapshotAsync(volume, $"EnaRemediate: root of {context.Record.InstanceId} before offline repair",
                new Dictionary<string, string> { [RescueTags.LaunchedBy] = context.Options.Nitro.StackName, [RescueTags.RemediationId] = rid, ["Name"] = $"enaremediate-{context.Record.InstanceId}-root" }, ct);
            return Observation.Of(OfflineMemo.SnapshotState, existing?.State ?? "pending", time.GetUtcNow()).Add(OfflineMemo.SnapshotId, id);
        })
        {
            AlsoCalls = mayExist ? ["ec2:DescribeSnapshots"] : [],
            Reads = known is null ? null : new BatchedRead(snapshots, known),
        };
        var undo = context.Record.UndoLog.Any(u => u.Action == OfflineMemo.RestoreFromSnapshotUndo)
            ? null
            : new UndoEntry(OfflineMemo.RestoreFromSnapshotUndo, $"the root {volume} as it was before the repair: a snapshot tagged {RescueTags.RemediationId}={rid}",
                ImmutableDictionary<string, string>.Empty.Add("volume", volume), context.Now);
        var requested = known is null && context.Memo(OfflineMemo.SnapshotRequestedAt) is null
            ? ImmutableDictionary<string, string>.Empty.Add(OfflineMemo.SnapshotRequestedAt, context.Now.ToString("O"))
            : null;
        return new StepDecision.Act(call, known is null ? $"snapshotting the root {volume}" : "checking the snapshot", undo, requested);
    }
}
