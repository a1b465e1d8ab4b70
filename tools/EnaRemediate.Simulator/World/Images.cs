namespace EnaRemediate.Simulator.World;

/// <summary>One block device mapping of an AMI: an EBS volume from a snapshot, or an instance store (ephemeralN).</summary>
public sealed record ImageBlockDevice(
    string DeviceName,
    string? VirtualName = null,
    string? SnapshotId = null,
    int? VolumeSize = null,
    bool? DeleteOnTermination = null,
    string? VolumeType = null,
    bool NoDevice = false);

/// <summary>An AMI: everything RegisterImage needs to copy it (issue 7 relies on these being complete).</summary>
public sealed class ImageRecord
{
    public required string ImageId { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    /// <summary>The S3 manifest of an instance-store-backed AMI (bucket/prefix/image.manifest.xml).</summary>
    public string? ImageLocation { get; init; }
    public string Architecture { get; init; } = "x86_64";
    public string? KernelId { get; init; }
    public string? RamdiskId { get; init; }
    public required string RootDeviceType { get; init; }
    public string RootDeviceName { get; init; } = "/dev/xvda";
    public required string VirtualizationType { get; init; }
    public string Hypervisor { get; init; } = "xen";
    public bool EnaSupport { get; init; }
    public bool SriovNetSupport { get; init; }
    public string? BootMode { get; init; }
    /// <summary>AWS Marketplace product codes (type marketplace) the AMI carries to its instances and volumes.</summary>
    public IReadOnlyList<string> ProductCodes { get; init; } = [];
    public string OwnerId { get; init; } = SimulatedWorld.AccountId;
    public required DateTimeOffset CreationDate { get; init; }
    public DateTimeOffset AvailableAt { get; init; }
    public IReadOnlyList<ImageBlockDevice> BlockDevices { get; init; } = [];
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);
    /// <summary>The OS an instance-store instance launched from this AMI gets (EBS AMIs take it from the root snapshot).</summary>
    public GuestOs? BundledGuest { get; init; }

    public string StateAt(DateTimeOffset now) => now >= AvailableAt ? "available" : "pending";
}
