namespace EnaRemediate.Simulator.World;

/// <summary>An EBS volume; the root volume of an EBS-backed instance carries that instance's OS.</summary>
public sealed class VolumeRecord
{
    private VolumeAttachment? _attachment;

    public required string VolumeId { get; init; }
    public required int Size { get; init; }
    public required string AvailabilityZone { get; init; }
    public string? SnapshotId { get; init; }
    public required DateTimeOffset CreateTime { get; init; }
    public string VolumeType { get; init; } = "gp3";
    public GuestOs? Guest { get; init; }
    /// <summary>An encrypted volume (a KMS key): its snapshots and the volumes made from them are encrypted with the same key.</summary>
    public bool Encrypted { get; init; }
    public string? KmsKeyId { get; init; }
    /// <summary>AWS Marketplace product codes: such a volume attaches only to a stopped instance.</summary>
    public IReadOnlyList<string> ProductCodes { get; init; } = [];
    /// <summary>Where it is attached; replacing it re-indexes the volume under its new instance.</summary>
    public VolumeAttachment? Attachment
    {
        get => _attachment;
        internal set
        {
            var before = _attachment;
            _attachment = value;
            Owner?.Reattached(this, before);
        }
    }
    /// <summary>The instance this volume was created as the root of (its faults follow its OS), if any.</summary>
    public string? OriginInstanceId { get; init; }
    /// <summary>The CreateVolume ClientToken, so a repeat returns this volume.</summary>
    public string? ClientToken { get; init; }
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);
    /// <summary>The account's volume list that indexes this volume, and the volume's place in it.</summary>
    internal VolumeCollection? Owner { get; set; }
    internal long Sequence { get; set; }

    /// <summary>in-use while attached or in transition, else available.</summary>
    public string StateAt(DateTimeOffset now) => Attachment is { } a && a.StateAt(now) != "detached" ? "in-use" : "available";
}

/// <summary>Where a volume is attached; attach and detach take a few seconds each way.</summary>
public sealed class VolumeAttachment
{
    public required string InstanceId { get; init; }
    public required string Device { get; init; }
    public required DateTimeOffset AttachTime { get; init; }
    public DateTimeOffset AttachedAt { get; init; }
    public DateTimeOffset? DetachedAt { get; internal set; }
    public bool DeleteOnTermination { get; internal set; }

    public string StateAt(DateTimeOffset now) => DetachedAt switch
    {
        { } detached when now >= detached => "detached",
        not null => "detaching",
        _ => now >= AttachedAt ? "attached" : "attaching",
    };
}

/// <summary>An EBS snapshot: a frozen copy of a volume's OS.</summary>
public sealed class SnapshotRecord
{
    public required string SnapshotId { get; init; }
    public required string VolumeId { get; init; }
    public required int VolumeSize { get; init; }
    public required DateTimeOffset StartTime { get; init; }
    public required DateTimeOffset CompletesAt { get; init; }
    public string Description { get; init; } = "";
    public GuestOs? Guest { get; init; }
    public bool Encrypted { get; init; }
    public string? KmsKeyId { get; init; }
    public IReadOnlyList<string> ProductCodes { get; init; } = [];
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public string StateAt(DateTimeOffset now) => now >= CompletesAt ? "completed" : "pending";
}
