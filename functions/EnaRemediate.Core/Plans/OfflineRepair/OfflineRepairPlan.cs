using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Engine.Validation;
using EnaRemediate.Core.Plans.Fallback;
using EnaRemediate.Core.Plans.Steps;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// offline-repair, for an EBS-backed instance whose type requires ENA and that no Xen stand-in can
/// take (arm64, UEFI, too many interfaces, no Xen type in its zone): inspect the root → claim a
/// rescue instance in its zone (launch one, or share one already there) → stop → snapshot the
/// root (the undo) → detach → wait for the rescue running → attach to the rescue → wait for the rescue's
/// agent Online and the snapshot completed → EnaRemediate-OfflineRepair (chroot install for every
/// kernel on the volume) → detach → free the rescue (the last user terminates it) → reattach as
/// the original root → restore DeleteOnTermination → start → validate ena is bound → healthy →
/// delete the snapshot (or keep it) → leave as found.
/// The rescue is claimed (its launch accepted by EC2) before the instance is stopped, so a full
/// pool or a launch EC2 refuses for quota or capacity makes it wait unharmed. Its boot then runs
/// beside the stop, the snapshot and the detach: only the attach needs it running. A rescue that
/// dies on the way there costs the instance a stop and a start (the rollback puts the root back
/// and starts it, as found), on an instance already off the network; waiting for it running
/// first cost every repair ~40 s. What only takes time (the snapshot's upload) runs beside the
/// volume moves too; nothing writes to the root before its snapshot is complete.
/// </summary>
public sealed class OfflineRepairPlan : IRemediationPlan
{
    public OfflineRepairPlan(INitroPort nitro, ISsmPort ssm, IHostValidator validator, TimeProvider time)
    {
        var mover = new VolumeMover(nitro, time);
        var pool = new RescuePool(nitro, ssm, time);
        var snapshots = new PrimedReads<SnapshotState>("ec2:DescribeSnapshots", nitro.DescribeSnapshotsAsync);
        Steps =
        [
            new InspectRootStep(nitro),
            new AcquireRescueStep(pool),
            new StopStep("stop"),
            new SnapshotRootStep("snapshot-root", untilCompleted: false, nitro, snapshots, time),
            new VolumeStep("detach-root", VolumeMove.DetachFromInstance, mover),
            new AwaitRescueStep("await-rescue-running", online: false, pool),
            new VolumeStep("attach-to-rescue", VolumeMove.AttachToRescue, mover),
            new AwaitRescueStep("await-rescue", online: true, pool),
            new SnapshotRootStep("await-snapshot", untilCompleted: true, nitro, snapshots, time),
            new RunRepairStep(ssm),
            new VolumeStep("detach-from-rescue", VolumeMove.DetachFromRescue, mover),
            new ReleaseRescueStep(pool, "free-rescue", bestEffort: true),
            new VolumeStep("reattach-root", VolumeMove.AttachToInstance, mover),
            new RestoreDeleteOnTerminationStep(nitro),
            new StartStep("start-repaired"),
            // As the fallback: validate once the agent is Online, then wait for the status checks.
            new AwaitHealthyStep("await-online-repaired", ssmOnlineSuffices: true),
            FallbackPlan.ValidateFinal(validator),
            new AwaitHealthyStep("await-healthy"),
            new ReleaseRescueStep(pool),
            new CleanupSnapshotStep(nitro),
            new LeaveAsFoundStep("finish", "the driver installed offline for every kernel on the root, ENA bound, rescue released"),
        ];
        Rollback = new OfflineRollbackStep(mover, pool);
    }

    public string Name => PlanNames.OfflineRepair;
    public IReadOnlyList<IPlanStep> Steps { get; }
    public IPlanStep? Rollback { get; }
}
