namespace EnaRemediate.Core.Engine.Ports;

/// <summary>
/// The EC2 calls of the type-swap and offline-repair plans (conventions as <see cref="IEc2Port"/>:
/// each method names its IAM action, implementations throw <see cref="AwsCallException"/>). Kept
/// apart from <see cref="IEc2Port"/> so a deployment without Nitro recovery needs none of them,
/// and so the template can scope each: volume calls to volumes of opted-in instances, rescue
/// calls to instances the stack launched (tag <see cref="RescueTags.LaunchedBy"/> = the stack).
/// </summary>
public interface INitroPort
{
    /// <summary>What routing and offline repair need to know of each instance (one DescribeInstances for many).</summary>
    [AwsAction("ec2:DescribeInstances")]
    Task<IReadOnlyDictionary<string, NitroInstance>> DescribeNitroInstancesAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>The boot mode of each image (null when it has none set); unknown images are absent.</summary>
    [AwsAction("ec2:DescribeImages")]
    Task<IReadOnlyDictionary<string, string?>> DescribeImageBootModesAsync(IReadOnlyCollection<string> imageIds, CancellationToken cancellationToken);

    /// <summary>Type details by name, or (names empty) every type of this hypervisor ("xen").</summary>
    [AwsAction("ec2:DescribeInstanceTypes")]
    Task<IReadOnlyList<InstanceTypeDetails>> DescribeInstanceTypesAsync(IReadOnlyCollection<string> names, string? hypervisor, CancellationToken cancellationToken);

    /// <summary>The types among <paramref name="names"/> offered in this Availability Zone.</summary>
    [AwsAction("ec2:DescribeInstanceTypeOfferings")]
    Task<IReadOnlySet<string>> DescribeOfferingsAsync(string availabilityZone, IReadOnlyCollection<string> names, CancellationToken cancellationToken);

    /// <summary>ModifyInstanceAttribute InstanceType (instance stopped).</summary>
    [AwsAction("ec2:ModifyInstanceAttribute", Mutating = true)]
    Task SetInstanceTypeAsync(string instanceId, string instanceType, bool dryRun, CancellationToken cancellationToken);

    /// <summary>ModifyInstanceAttribute BlockDeviceMapping: DeleteOnTermination of the volume attached at this device.</summary>
    [AwsAction("ec2:ModifyInstanceAttribute", Mutating = true)]
    Task SetDeleteOnTerminationAsync(string instanceId, string device, bool deleteOnTermination, CancellationToken cancellationToken);

    /// <summary>One volume; null when EC2 does not know it.</summary>
    [AwsAction("ec2:DescribeVolumes")]
    Task<VolumeState?> DescribeVolumeAsync(string volumeId, CancellationToken cancellationToken);

    /// <summary>Volumes by id in one call; EC2 refuses the whole call (InvalidVolume.NotFound) when one is gone.</summary>
    [AwsAction("ec2:DescribeVolumes")]
    Task<IReadOnlyDictionary<string, VolumeState>> DescribeVolumesAsync(IReadOnlyCollection<string> volumeIds, CancellationToken cancellationToken);

    /// <remarks>An encrypted volume needs the caller's KMS grant through EC2 (kms:ViaService): the template scopes these to EC2.</remarks>
    [AwsAction("kms:CreateGrant")]
    [AwsAction("kms:Decrypt")]
    [AwsAction("kms:DescribeKey")]
    [AwsAction("kms:GenerateDataKeyWithoutPlaintext")]
    [AwsAction("kms:ReEncryptFrom")]
    [AwsAction("kms:ReEncryptTo")]
    [AwsAction("ec2:AttachVolume", Mutating = true)]
    Task AttachVolumeAsync(string volumeId, string instanceId, string device, CancellationToken cancellationToken);

    [AwsAction("ec2:DetachVolume", Mutating = true)]
    Task DetachVolumeAsync(string volumeId, string instanceId, CancellationToken cancellationToken);

    /// <summary>CreateVolume from a snapshot (encrypted when the snapshot is, with its key); the client token makes a repeat return the same volume.</summary>
    [AwsAction("ec2:CreateVolume", Mutating = true)]
    [AwsAction("ec2:CreateTags", Mutating = true)]
    Task<string> CreateVolumeFromSnapshotAsync(string snapshotId, string availabilityZone, string? volumeType, IReadOnlyDictionary<string, string> tags, string clientToken, CancellationToken cancellationToken);

    /// <summary>CreateTags on a volume (marks an original root kept aside).</summary>
    [AwsAction("ec2:CreateTags", Mutating = true)]
    Task TagVolumeAsync(string volumeId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    [AwsAction("ec2:CreateSnapshot", Mutating = true)]
    [AwsAction("ec2:CreateTags", Mutating = true)]
    Task<string> CreateSnapshotAsync(string volumeId, string description, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>A snapshot by id, or the one tagged with this key and value; null when there is none.</summary>
    [AwsAction("ec2:DescribeSnapshots")]
    Task<SnapshotState?> DescribeSnapshotAsync(string? snapshotId, KeyValuePair<string, string>? tag, CancellationToken cancellationToken);

    /// <summary>Snapshots by id in one call; EC2 refuses the whole call (InvalidSnapshot.NotFound) when one is gone.</summary>
    [AwsAction("ec2:DescribeSnapshots")]
    Task<IReadOnlyDictionary<string, SnapshotState>> DescribeSnapshotsAsync(IReadOnlyCollection<string> snapshotIds, CancellationToken cancellationToken);

    [AwsAction("ec2:DeleteSnapshot", Mutating = true)]
    Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken);

    /// <summary>Every instance tagged <see cref="RescueTags.LaunchedBy"/> = <paramref name="launchedBy"/> that is not terminated, with its tags and volumes.</summary>
    [AwsAction("ec2:DescribeInstances")]
    Task<IReadOnlyList<RescueInstance>> DescribeRescueInstancesAsync(string launchedBy, CancellationToken cancellationToken);

    /// <summary>RunInstances of one rescue instance (tagged at launch); the client token makes a repeat return the first launch.</summary>
    [AwsAction("ec2:RunInstances", Mutating = true)]
    [AwsAction("ec2:CreateTags", Mutating = true)]
    [AwsAction("iam:PassRole")]
    Task<string> RunRescueInstanceAsync(RescueLaunch launch, CancellationToken cancellationToken);

    /// <summary>CreateTags on a rescue instance (a claim of one of its devices).</summary>
    [AwsAction("ec2:CreateTags", Mutating = true)]
    Task TagRescueAsync(string instanceId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>DeleteTags on a rescue instance (a claim released).</summary>
    [AwsAction("ec2:DeleteTags", Mutating = true)]
    Task UntagRescueAsync(string instanceId, IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>TerminateInstances of one rescue instance the stack launched.</summary>
    [AwsAction("ec2:TerminateInstances", Mutating = true)]
    Task TerminateRescueAsync(string instanceId, CancellationToken cancellationToken);
}
