namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>Keys of the record memo the offline-repair steps share, and its undo actions.</summary>
public static class OfflineMemo
{
    public const string RootVolume = "root.volume";
    public const string RootDevice = "root.device";
    /// <summary>"true" when the root was marked DeleteOnTermination (restored after the reattach).</summary>
    public const string RootDeleteOnTermination = "root.deleteOnTermination";
    public const string Zone = "root.zone";
    public const string Architecture = "root.architecture";
    public const string Subnet = "root.subnet";
    public const string VolumeType = "root.volumeType";
    public const string Encrypted = "root.encrypted";
    public const string RescueId = "rescue.id";
    public const string RescueDevice = "rescue.device";
    /// <summary>"true" when this record launched the rescue (it may still be shared).</summary>
    public const string RescueLaunched = "rescue.launched";
    public const string RescueObserved = "rescue.observed";
    public const string RescueWaitingSince = "rescue.waitingSince";
    public const string RescueReleased = "rescue.released";
    /// <summary>Why the early release failed (the one at the end tries again).</summary>
    public const string RescueReleaseDeferred = "rescue.releaseDeferred";
    public const string SnapshotId = "snapshot.id";
    /// <summary>When a CreateSnapshot was first decided: from then on one may exist whose id was never saved.</summary>
    public const string SnapshotRequestedAt = "snapshot.requestedAt";
    public const string SnapshotState = "snapshot.state";
    public const string SnapshotDeleted = "snapshot.deleted";
    /// <summary>When the repair command was sent: from then on the volume may have been changed.</summary>
    public const string RepairSentAt = "repair.sentAt";
    public const string RepairCommandId = "repair.commandId";
    /// <summary>The document the repair command runs: the reconciler lists all repairs under way by it.</summary>
    public const string RepairDocument = "repair.document";
    /// <summary>"true" once the repair command succeeded.</summary>
    public const string RepairPassed = "repair.passed";
    public const string DeleteOnTerminationRestored = "root.deleteOnTermination.restored";
    /// <summary>A volume created from the snapshot by the rollback (the original kept aside).</summary>
    public const string RestoredVolume = "restored.volume";

    public const string ReleaseRescueUndo = "release-rescue";
    public const string ReattachRootUndo = "reattach-root";
    public const string RestoreFromSnapshotUndo = "restore-from-snapshot";
}
