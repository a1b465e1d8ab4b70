using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>restore-delete-on-termination: the reattached root gets back the DeleteOnTermination it had (attaching sets it false).</summary>
public sealed class RestoreDeleteOnTerminationStep(INitroPort nitro) : IPlanStep
{
    public string Name => "restore-delete-on-termination";
    public IReadOnlyList<string> Permissions { get; } = ["ec2:ModifyInstanceAttribute"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "stopped" };
    public EngineAction? PlannedAction(EngineOptions options) => PlanCall.Planned("ec2:ModifyInstanceAttribute", "restore DeleteOnTermination of the root");

    /// <summary>It decides from its memo (and acts only on a stopped instance, its state): no checks, no description.</summary>
    public bool ObservesHealth(RemediationRecord record) => false;
    public bool ObservesAttributes(RemediationRecord record) => false;

    public StepDecision Decide(StepContext context)
    {
        if (context.Memo(OfflineMemo.RootDeleteOnTermination) != "true" || context.Memo(OfflineMemo.DeleteOnTerminationRestored) == "true")
        {
            return new StepDecision.Next("DeleteOnTermination as it was");
        }
        return new StepDecision.Act(Restore(nitro, context), "restoring DeleteOnTermination on the root");
    }

    internal static PlanCall Restore(INitroPort nitro, StepContext context)
    {
        var device = context.Memo(OfflineMemo.RootDevice)!;
        return new PlanCall("ec2:ModifyInstanceAttribute", $"DeleteOnTermination=true at {device}", async ct =>
        {
            await nitro.SetDeleteOnTerminationAsync(context.Record.InstanceId, device, true, ct);
            return ImmutableDictionary<string, string>.Empty.Add(OfflineMemo.DeleteOnTerminationRestored, "true");
        });
    }
}

/// <summary>
/// Drops this record's claim on the rescue; the last one out terminates it. <c>free-rescue</c>
/// runs as soon as the root is off the rescue, so the pool serves the next repair while this
/// instance boots; it is best effort (a failed release is no reason to undo a repair) and
/// <c>release-rescue</c>, at the end, makes sure, failing into the rollback's clean-up if it must.
/// </summary>
public sealed class ReleaseRescueStep(RescuePool pool, string name = "release-rescue", bool bestEffort = false) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ec2:DescribeInstances", "ec2:DeleteTags", "ec2:TerminateInstances"];
    public IReadOnlySet<string> ValidOriginStates => AmiStep.AnyInstanceState;
    public EngineAction? PlannedAction(EngineOptions options) =>
        bestEffort ? PlanCall.Planned("ec2:TerminateInstances", "free the rescue once the root is off it (terminated when no other repair uses it)") : null;

    public StepDecision Decide(StepContext context)
    {
        if (context.Memo(OfflineMemo.RescueReleased) is { } released)
        {
            return new StepDecision.Next(released);
        }
        if (bestEffort && context.Memo(OfflineMemo.RescueReleaseDeferred) is { } deferred)
        {
            return new StepDecision.Next($"rescue release deferred to the end ({deferred})");
        }
        return new StepDecision.Act(bestEffort ? TryRelease(pool, context) : Release(pool, context), "releasing the rescue instance");
    }

    internal static PlanCall Release(RescuePool pool, StepContext context)
    {
        var rescue = context.Memo(OfflineMemo.RescueId);
        return new PlanCall("ec2:TerminateInstances", $"release rescue {rescue ?? "(found by its claim)"}", async ct =>
            ImmutableDictionary<string, string>.Empty.Add(OfflineMemo.RescueReleased, await pool.ReleaseAsync(context.Record.InstanceId, rescue, context.Options.Nitro, ct)));
    }

    private static PlanCall TryRelease(RescuePool pool, StepContext context)
    {
        var release = Release(pool, context);
        return release with
        {
            Run = async ct =>
            {
                try
                {
                    return await release.Run(ct);
                }
                catch (AwsCallException e)
                {
                    return ImmutableDictionary<string, string>.Empty.Add(OfflineMemo.RescueReleaseDeferred, $"{e.ErrorCode}: {e.Message}");
                }
            },
        };
    }
}

/// <summary>cleanup-snapshot: after a success the snapshot goes, unless the deployment keeps snapshots.</summary>
public sealed class CleanupSnapshotStep(INitroPort nitro) : IPlanStep
{
    public string Name => "cleanup-snapshot";
    public IReadOnlyList<string> Permissions { get; } = ["ec2:DeleteSnapshot"];
    public IReadOnlySet<string> ValidOriginStates => AmiStep.AnyInstanceState;
    public EngineAction? PlannedAction(EngineOptions options) =>
        options.Nitro.KeepSnapshot ? null : PlanCall.Planned("ec2:DeleteSnapshot", "delete the root snapshot after the success");

    public StepDecision Decide(StepContext context)
    {
        var snapshot = context.Memo(OfflineMemo.SnapshotId);
        if (snapshot is null || context.Memo(OfflineMemo.SnapshotDeleted) == "true")
        {
            return new StepDecision.Next(snapshot is null ? "no snapshot" : $"snapshot {snapshot} deleted");
        }
        if (context.Options.Nitro.KeepSnapshot)
        {
            return new StepDecision.Next($"snapshot {snapshot} kept (retention)");
        }
        return new StepDecision.Act(new PlanCall("ec2:DeleteSnapshot", $"delete {snapshot}", async ct =>
        {
            await nitro.DeleteSnapshotAsync(snapshot, ct);
            return ImmutableDictionary<string, string>.Empty.Add(OfflineMemo.SnapshotDeleted, "true");
        }), $"deleting the snapshot {snapshot}: the repair succeeded");
    }
}
