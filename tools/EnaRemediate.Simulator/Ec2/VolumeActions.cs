using System.Xml.Linq;
using EnaRemediate.Simulator.World;
using static EnaRemediate.Simulator.Ec2.Ec2Xml;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>
/// EBS: DescribeVolumes, CreateVolume, AttachVolume, DetachVolume, DeleteVolume, CreateSnapshot,
/// DescribeSnapshots, DeleteSnapshot. Encryption follows EBS's rules: a snapshot of an encrypted
/// volume is encrypted with its key, and so is a volume created from it
/// (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html). A volume with an AWS
/// Marketplace product code attaches only to a stopped instance
/// (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-attaching-volume.html).
/// </summary>
internal static class VolumeActions
{
    private static readonly FilterSet<(VolumeRecord V, DateTimeOffset Now)> VolumeFilters = new FilterSet<(VolumeRecord V, DateTimeOffset Now)>()
        .On("volume-id", x => x.V.VolumeId)
        .On("status", x => x.V.StateAt(x.Now))
        .On("availability-zone", x => x.V.AvailabilityZone)
        .On("snapshot-id", x => x.V.SnapshotId)
        .On("attachment.instance-id", x => x.V.Attachment?.InstanceId)
        .On("attachment.device", x => x.V.Attachment?.Device)
        .On("attachment.status", x => x.V.Attachment?.StateAt(x.Now))
        .WithTags(x => x.V.Tags);

    private static readonly FilterSet<(SnapshotRecord S, DateTimeOffset Now)> SnapshotFilters = new FilterSet<(SnapshotRecord S, DateTimeOffset Now)>()
        .On("snapshot-id", x => x.S.SnapshotId)
        .On("volume-id", x => x.S.VolumeId)
        .On("status", x => x.S.StateAt(x.Now))
        .On("description", x => x.S.Description)
        .On("owner-id", _ => SimulatedWorld.AccountId)
        .WithTags(x => x.S.Tags);

    public static void Register(Ec2Router router)
    {
        router.Add("DescribeVolumes", DescribeVolumes);
        router.Add("AttachVolume", AttachVolume);
        router.Add("DetachVolume", DetachVolume);
        router.Add("CreateSnapshot", CreateSnapshot);
        router.Add("DescribeSnapshots", DescribeSnapshots);
        router.Add("CreateVolume", CreateVolume);
        router.Add("DeleteVolume", DeleteVolume);
        router.Add("DeleteSnapshot", DeleteSnapshot);
    }

    /// <summary>On termination: volumes marked DeleteOnTermination go, the others are detached.</summary>
    public static void ReleaseOnTermination(Ec2Context ctx, SimulatedInstance instance)
    {
        foreach (var volume in ctx.World.VolumesOf(instance.InstanceId).ToList())
        {
            if (volume.Attachment!.DeleteOnTermination)
            {
                ctx.World.Volumes.Remove(volume);
            }
            else
            {
                volume.Attachment.DetachedAt = ctx.Now;
            }
        }
    }

    public static VolumeRecord Volume(Ec2Context ctx, string id) =>
        ctx.World.Volumes.Find(id)
        ?? throw new ApiException(id.StartsWith("vol-", StringComparison.Ordinal) ? "InvalidVolume.NotFound" : "InvalidVolumeID.Malformed",
            id.StartsWith("vol-", StringComparison.Ordinal) ? $"The volume '{id}' does not exist." : $"Invalid id: \"{id}\"");

    public static SnapshotRecord Snapshot(Ec2Context ctx, string id) =>
        ctx.World.Snapshots.FirstOrDefault(s => s.SnapshotId == id)
        ?? throw new ApiException(id.StartsWith("snap-", StringComparison.Ordinal) ? "InvalidSnapshot.NotFound" : "InvalidSnapshotID.Malformed",
            id.StartsWith("snap-", StringComparison.Ordinal) ? $"The snapshot '{id}' does not exist." : $"Invalid id: \"{id}\"");

    /// <summary>A completed-later snapshot of a volume, carrying a frozen copy of its OS.</summary>
    public static SnapshotRecord TakeSnapshot(Ec2Context ctx, VolumeRecord volume, string description, Random random)
    {
        var snapshot = new SnapshotRecord
        {
            SnapshotId = ctx.World.NewId("snap"),
            VolumeId = volume.VolumeId,
            VolumeSize = volume.Size,
            StartTime = ctx.Now,
            CompletesAt = ctx.Now + random.Draw(Latencies.SnapshotCompletion),
            Description = description,
            Guest = volume.Guest?.Clone(),
            Encrypted = volume.Encrypted,
            KmsKeyId = volume.KmsKeyId,
            ProductCodes = volume.ProductCodes,
        };
        ctx.World.Snapshots.Add(snapshot);
        return snapshot;
    }

    private static IEnumerable<XElement> DescribeVolumes(Ec2Context ctx)
    {
        var ids = ctx.Request.List("VolumeId");
        var candidates = ids.Count > 0 ? ids.Select(id => Volume(ctx, id)).ToList() : ctx.World.Volumes.ToList();
        var match = VolumeFilters.Compile(ctx.Request.Filters());
        var selected = candidates.Where(v => match((v, ctx.Now))).ToList();
        ctx.ExitIfDryRun();
        var (page, next) = Paging.Page(selected, ctx.Request, 5, 500, clampAbove: true);
        yield return Set("volumeSet", page.Select(v => (object?[])
        [
            .. VolumeMembers(v, ctx.Now),
            Set("attachmentSet", v.Attachment is { } a && a.StateAt(ctx.Now) != "detached" ? [AttachmentMembers(v, a, ctx.Now)] : []),
            E("multiAttachEnabled", false),
        ]));
        if (next is not null)
        {
            yield return E("nextToken", next);
        }
    }

    private static object?[] AttachmentMembers(VolumeRecord v, VolumeAttachment a, DateTimeOffset now) =>
    [
        E("volumeId", v.VolumeId),
        E("instanceId", a.InstanceId),
        E("device", a.Device),
        E("status", a.StateAt(now)),
        E("attachTime", a.AttachTime),
        E("deleteOnTermination", a.DeleteOnTermination),
    ];

    private static IEnumerable<XElement> AttachVolume(Ec2Context ctx)
    {
        var volume = Volume(ctx, ctx.Request.Required("VolumeId"));
        var instance = ctx.SingleInstance();
        var device = ctx.Request.Required("Device");
        if (volume.StateAt(ctx.Now) != "available")
        {
            throw new ApiException("VolumeInUse", $"{volume.VolumeId} is already attached to an instance");
        }
        if (volume.AvailabilityZone != instance.AvailabilityZone)
        {
            throw new ApiException("InvalidVolume.ZoneMismatch", $"The volume '{volume.VolumeId}' is not in the same availability zone as instance '{instance.InstanceId}'");
        }
        if (instance.StateAt(ctx.Now) is not (InstanceStates.Running or InstanceStates.Stopped))
        {
            throw new ApiException("IncorrectState", $"Instance '{instance.InstanceId}' is not 'running' or 'stopped'.");
        }
        if (volume.ProductCodes.Count > 0 && instance.StateAt(ctx.Now) != InstanceStates.Stopped)
        {
            throw new ApiException("IncorrectState", $"The volume '{volume.VolumeId}' has an AWS Marketplace product code and can only be attached to a stopped instance.");
        }
        if (ctx.World.VolumesOf(instance.InstanceId).Any(v => v.Attachment!.Device == device))
        {
            throw new ApiException("InvalidParameterValue", $"Invalid value '{device}' for unixDevice. Attachment point {device} is already in use");
        }
        ctx.ExitIfDryRun();
        volume.Attachment = new VolumeAttachment
        {
            InstanceId = instance.InstanceId,
            Device = device,
            AttachTime = ctx.Now,
            AttachedAt = ctx.Now + instance.Random.Draw(Latencies.VolumeAttachment),
            DeleteOnTermination = false,
        };
        RecordRootMove(ctx, volume, TimelineEntry.Attach, instance.InstanceId, volume.Attachment.AttachedAt);
        foreach (var member in AttachmentMembers(volume, volume.Attachment, ctx.Now))
        {
            yield return (XElement)member!;
        }
    }

    private static IEnumerable<XElement> DetachVolume(Ec2Context ctx)
    {
        var volume = Volume(ctx, ctx.Request.Required("VolumeId"));
        if (volume.Attachment is not { } attachment || attachment.DetachedAt is not null)
        {
            throw new ApiException("IncorrectState", $"Volume '{volume.VolumeId}' is in the 'available' state.");
        }
        if (ctx.Request.Get("InstanceId") is { } instanceId && instanceId != attachment.InstanceId)
        {
            throw new ApiException("InvalidAttachment.NotFound", $"Volume '{volume.VolumeId}' is not attached to instance '{instanceId}'.");
        }
        var instance = ctx.World.FindInstance(attachment.InstanceId);
        if (instance is not null && attachment.Device == instance.RootDeviceName
            && instance.StateAt(ctx.Now) is not (InstanceStates.Stopped or InstanceStates.Terminated))
        {
            throw new ApiException("IncorrectState", $"Unable to detach root volume '{volume.VolumeId}' from instance '{instance.InstanceId}'");
        }
        ctx.ExitIfDryRun();
        attachment.DetachedAt = ctx.Now + (instance?.Random ?? new Random(ctx.World.Seed)).Draw(Latencies.VolumeAttachment);
        RecordRootMove(ctx, volume, TimelineEntry.Detach, attachment.InstanceId, attachment.DetachedAt.Value);
        foreach (var member in AttachmentMembers(volume, attachment, ctx.Now))
        {
            yield return (XElement)member!;
        }
    }

    // A root volume's moves go on the timeline of the instance it is the root of (the benchmark's floor replays them).
    private static void RecordRootMove(Ec2Context ctx, VolumeRecord volume, string phase, string other, DateTimeOffset readyAt)
    {
        if (volume.OriginInstanceId is { } origin && ctx.World.FindInstance(origin) is { } owner)
        {
            owner.RecordRootMove(phase, other, ctx.Now, readyAt);
        }
    }

    private static IEnumerable<XElement> CreateSnapshot(Ec2Context ctx)
    {
        var volume = Volume(ctx, ctx.Request.Required("VolumeId"));
        var description = ctx.Request.Get("Description") ?? "";
        var tags = ctx.Request.TagSpecifications().Where(t => t.ResourceType == "snapshot").SelectMany(t => t.Tags).ToList();
        TagActions.Validate(tags);
        ctx.ExitIfDryRun();
        var random = volume.Attachment is { } a && ctx.World.FindInstance(a.InstanceId) is { } owner ? owner.Random : new Random(ctx.World.Seed);
        var snapshot = TakeSnapshot(ctx, volume, description, random);
        foreach (var (key, value) in tags)
        {
            snapshot.Tags[key] = value;
        }
        foreach (var member in SnapshotMembers(snapshot, ctx.Now))
        {
            yield return (XElement)member!;
        }
    }

    private static object?[] SnapshotMembers(SnapshotRecord s, DateTimeOffset now) =>
    [
        E("snapshotId", s.SnapshotId),
        E("volumeId", s.VolumeId),
        E("status", s.StateAt(now)),
        E("startTime", s.StartTime),
        E("progress", s.StateAt(now) == "completed" ? "100%" : "0%"),
        E("ownerId", SimulatedWorld.AccountId),
        E("volumeSize", s.VolumeSize),
        E("description", s.Description),
        E("encrypted", s.Encrypted),
        s.KmsKeyId is null ? null : E("kmsKeyId", s.KmsKeyId),
        TagSet(s.Tags),
    ];

    private static IEnumerable<XElement> CreateVolume(Ec2Context ctx)
    {
        var zone = ctx.Request.Required("AvailabilityZone");
        var snapshotId = ctx.Request.Get("SnapshotId") ?? throw new ApiException("MissingParameter", "The simulator creates volumes from snapshots only: SnapshotId is required.");
        var snapshot = Snapshot(ctx, snapshotId);
        if (snapshot.StateAt(ctx.Now) != "completed")
        {
            throw new ApiException("IncorrectState", $"Snapshot '{snapshot.SnapshotId}' is not completed.");
        }
        var tags = ctx.Request.TagSpecifications().Where(t => t.ResourceType == "volume").SelectMany(t => t.Tags).ToList();
        TagActions.Validate(tags);
        if (ctx.Request.Get("ClientToken") is { } token && ctx.World.Volumes.FirstOrDefault(v => v.ClientToken == token) is { } earlier)
        {
            // Idempotent like RunInstances: the same token returns the volume it made.
            foreach (var member in VolumeMembers(earlier, ctx.Now))
            {
                yield return (XElement)member!;
            }
            yield break;
        }
        ctx.ExitIfDryRun();
        var volume = new VolumeRecord
        {
            VolumeId = ctx.World.NewId("vol"),
            Size = Math.Max(ctx.Request.Int("Size") ?? snapshot.VolumeSize, snapshot.VolumeSize),
            AvailabilityZone = zone,
            SnapshotId = snapshot.SnapshotId,
            CreateTime = ctx.Now,
            VolumeType = ctx.Request.Get("VolumeType") ?? "gp3",
            Guest = snapshot.Guest?.Clone(),
            Encrypted = snapshot.Encrypted,
            KmsKeyId = snapshot.KmsKeyId,
            ProductCodes = snapshot.ProductCodes,
            ClientToken = ctx.Request.Get("ClientToken"),
        };
        foreach (var (key, value) in tags)
        {
            volume.Tags[key] = value;
        }
        ctx.World.Volumes.Add(volume);
        foreach (var member in VolumeMembers(volume, ctx.Now))
        {
            yield return (XElement)member!;
        }
    }

    private static object?[] VolumeMembers(VolumeRecord v, DateTimeOffset now) =>
    [
        E("volumeId", v.VolumeId),
        E("size", v.Size),
        E("snapshotId", v.SnapshotId ?? ""),
        E("availabilityZone", v.AvailabilityZone),
        E("status", v.StateAt(now)),
        E("createTime", v.CreateTime),
        E("volumeType", v.VolumeType),
        E("encrypted", v.Encrypted),
        v.KmsKeyId is null ? null : E("kmsKeyId", v.KmsKeyId),
        TagSet(v.Tags),
    ];

    private static IEnumerable<XElement> DeleteVolume(Ec2Context ctx)
    {
        var volume = Volume(ctx, ctx.Request.Required("VolumeId"));
        if (volume.StateAt(ctx.Now) != "available")
        {
            throw new ApiException("VolumeInUse", $"Volume {volume.VolumeId} is currently attached to {volume.Attachment?.InstanceId}");
        }
        ctx.ExitIfDryRun();
        ctx.World.Volumes.Remove(volume);
        yield return E("return", true);
    }

    private static IEnumerable<XElement> DeleteSnapshot(Ec2Context ctx)
    {
        var snapshot = Snapshot(ctx, ctx.Request.Required("SnapshotId"));
        if (ctx.World.Images.Any(i => i.BlockDevices.Any(b => b.SnapshotId == snapshot.SnapshotId)))
        {
            throw new ApiException("InvalidSnapshot.InUse", $"The snapshot {snapshot.SnapshotId} is currently in use by an AMI");
        }
        ctx.ExitIfDryRun();
        ctx.World.Snapshots.Remove(snapshot);
        yield return E("return", true);
    }

    private static IEnumerable<XElement> DescribeSnapshots(Ec2Context ctx)
    {
        var ids = ctx.Request.List("SnapshotId");
        var candidates = ids.Count > 0 ? ids.Select(id => Snapshot(ctx, id)).ToList() : ctx.World.Snapshots.ToList();
        var match = SnapshotFilters.Compile(ctx.Request.Filters());
        var selected = candidates.Where(s => match((s, ctx.Now))).ToList();
        ctx.ExitIfDryRun();
        var (page, next) = Paging.Page(selected, ctx.Request, 5, 1000, clampAbove: true);
        yield return Set("snapshotSet", page.Select(s => SnapshotMembers(s, ctx.Now)));
        if (next is not null)
        {
            yield return E("nextToken", next);
        }
    }
}
