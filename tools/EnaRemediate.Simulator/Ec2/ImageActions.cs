using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EnaRemediate.Simulator.World;
using static EnaRemediate.Simulator.Ec2.Ec2Xml;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>DescribeImages, RegisterImage (EBS snapshot or instance-store manifest) and CreateImage.</summary>
internal static partial class ImageActions
{
    private static readonly FilterSet<(ImageRecord I, DateTimeOffset Now)> ImageFilters = new FilterSet<(ImageRecord I, DateTimeOffset Now)>()
        .On("image-id", x => x.I.ImageId)
        .On("name", x => x.I.Name)
        .On("state", x => x.I.StateAt(x.Now))
        .On("root-device-type", x => x.I.RootDeviceType)
        .On("virtualization-type", x => x.I.VirtualizationType)
        .On("architecture", x => x.I.Architecture)
        .On("ena-support", x => x.I.EnaSupport ? "true" : "false")
        .On("manifest-location", x => x.I.ImageLocation)
        .On("owner-id", x => x.I.OwnerId)
        .WithTags(x => x.I.Tags);

    public static void Register(Ec2Router router)
    {
        router.Add("DescribeImages", DescribeImages);
        router.Add("RegisterImage", RegisterImage);
        router.Add("CreateImage", CreateImage);
        router.Add("DeregisterImage", DeregisterImage);
    }

    public static ImageRecord Image(Ec2Context ctx, string id)
    {
        if (!AmiShape().IsMatch(id))
        {
            throw new ApiException("InvalidAMIID.Malformed", $"Invalid id: \"{id}\" (expecting \"ami-...\")");
        }
        return ctx.World.Images.FirstOrDefault(i => i.ImageId == id)
            ?? throw new ApiException("InvalidAMIID.NotFound", $"The image id '[{id}]' does not exist");
    }

    private static IEnumerable<XElement> DescribeImages(Ec2Context ctx)
    {
        var ids = ctx.Request.List("ImageId");
        var owners = ctx.Request.List("Owner");
        // A just-deregistered id is answered with nothing rather than an error, as EC2 answers it.
        var candidates = ids.Count > 0
            ? ids.Where(id => !ctx.World.DeregisteredImageIds.Contains(id)).Select(id => Image(ctx, id)).ToList()
            : ctx.World.Images.ToList();
        var match = ImageFilters.Compile(ctx.Request.Filters());
        var selected = candidates
            .Where(i => owners.Count == 0 || owners.Any(o => (o == "self" ? SimulatedWorld.AccountId : o) == i.OwnerId))
            .Where(i => match((i, ctx.Now)))
            .ToList();
        ctx.ExitIfDryRun();
        var (page, next) = Paging.Page(selected, ctx.Request, 5, 1000);
        yield return Set("imagesSet", page.Select(i => Item(i, ctx.Now)));
        if (next is not null)
        {
            yield return E("nextToken", next);
        }
    }

    private static object?[] Item(ImageRecord i, DateTimeOffset now) =>
    [
        E("imageId", i.ImageId),
        i.ImageLocation is null ? E("imageLocation", $"{i.OwnerId}/{i.Name}") : E("imageLocation", i.ImageLocation),
        E("imageState", i.StateAt(now)),
        E("imageOwnerId", i.OwnerId),
        E("creationDate", i.CreationDate),
        E("isPublic", false),
        E("architecture", i.Architecture),
        E("imageType", "machine"),
        i.KernelId is null ? null : E("kernelId", i.KernelId),
        i.RamdiskId is null ? null : E("ramdiskId", i.RamdiskId),
        E("name", i.Name),
        i.Description is null ? null : E("description", i.Description),
        E("rootDeviceType", i.RootDeviceType),
        E("rootDeviceName", i.RootDeviceName),
        Set("blockDeviceMapping", i.BlockDevices.Select(b => new object?[]
        {
            E("deviceName", b.DeviceName),
            b.VirtualName is null ? null : E("virtualName", b.VirtualName),
            b.NoDevice ? E("noDevice", "") : null,
            b.SnapshotId is null && b.VolumeSize is null ? null : E("ebs",
                b.SnapshotId is null ? null : E("snapshotId", b.SnapshotId),
                b.VolumeSize is null ? null : E("volumeSize", b.VolumeSize.Value),
                E("deleteOnTermination", b.DeleteOnTermination ?? true),
                E("volumeType", b.VolumeType ?? "gp3"),
                E("encrypted", false)),
        })),
        E("virtualizationType", i.VirtualizationType),
        TagSet(i.Tags),
        E("hypervisor", i.Hypervisor),
        E("enaSupport", i.EnaSupport),
        i.SriovNetSupport ? E("sriovNetSupport", "simple") : null,
        i.BootMode is null ? null : E("bootMode", i.BootMode),
        E("platformDetails", "Linux/UNIX"),
        E("usageOperation", "RunInstances"),
    ];

    private static IEnumerable<XElement> RegisterImage(Ec2Context ctx)
    {
        var r = ctx.Request;
        var name = ValidName(ctx, r.Required("Name"));
        var devices = BlockDevices(r);
        var location = r.Get("ImageLocation");
        var rootDevice = r.Get("RootDeviceName") ?? (location is null ? "/dev/xvda" : "/dev/sda1");
        var rootSnapshot = devices.FirstOrDefault(d => d.DeviceName == rootDevice)?.SnapshotId;
        GuestOs? guest;
        string rootType;
        if (location is not null)
        {
            // An instance-store AMI: the bundle must exist in "S3": one ec2-upload-bundle put there, or the manifest of a known image.
            guest = ctx.World.UploadedBundles.TryGetValue(location, out var uploaded)
                ? uploaded.Clone()
                : (ctx.World.Images.FirstOrDefault(i => i.ImageLocation == location)
                    ?? throw new ApiException("InvalidManifest", $"HTTP 403 (Forbidden) response for URL https://s3.amazonaws.com/{location}: check your manifest path is correct and in the correct region.")).BundledGuest?.Clone();
            rootType = "instance-store";
        }
        else if (rootSnapshot is not null)
        {
            guest = VolumeActions.Snapshot(ctx, rootSnapshot).Guest?.Clone();
            rootType = "ebs";
        }
        else
        {
            throw new ApiException("InvalidParameterCombination", "Either ImageLocation or a BlockDeviceMapping with a snapshot for the root device must be specified.");
        }
        foreach (var kernelOrRamdisk in new[] { r.Get("KernelId"), r.Get("RamdiskId") }.OfType<string>())
        {
            if (!KernelImageShape().IsMatch(kernelOrRamdisk))
            {
                throw new ApiException("InvalidParameterValue", $"Invalid id: \"{kernelOrRamdisk}\"");
            }
        }
        var virtualization = r.Get("VirtualizationType") ?? (r.Get("KernelId") is null ? "hvm" : "paravirtual");
        if (virtualization is not ("hvm" or "paravirtual"))
        {
            throw new ApiException("InvalidParameterValue", $"Value ({virtualization}) for parameter virtualizationType is invalid. Valid values are hvm and paravirtual.");
        }
        var tags = r.TagSpecifications().Where(t => t.ResourceType == "image").SelectMany(t => t.Tags).ToList();
        TagActions.Validate(tags);
        ctx.ExitIfDryRun();
        var image = ctx.World.AddImage(id => new ImageRecord
        {
            ImageId = id,
            Name = name,
            Description = r.Get("Description"),
            ImageLocation = location,
            Architecture = r.Get("Architecture") ?? "x86_64",
            KernelId = r.Get("KernelId"),
            RamdiskId = r.Get("RamdiskId"),
            RootDeviceType = rootType,
            RootDeviceName = rootDevice,
            VirtualizationType = virtualization,
            EnaSupport = r.Bool("EnaSupport"),
            SriovNetSupport = r.Get("SriovNetSupport") == "simple",
            BootMode = r.Get("BootMode"),
            CreationDate = ctx.Now,
            AvailableAt = ctx.Now + new Random(ctx.World.Seed + ctx.World.Images.Count).Draw(Latencies.ImageAvailable),
            BlockDevices = devices,
            BundledGuest = rootType == "instance-store" ? guest : null,
        });
        foreach (var (key, value) in tags)
        {
            image.Tags[key] = value;
        }
        yield return E("imageId", image.ImageId);
    }

    /// <summary>Like EC2, a deregistered image is gone from DescribeImages (its S3 bundle is not this API's business), and deregistering it again is InvalidAMIID.Unavailable.</summary>
    private static IEnumerable<XElement> DeregisterImage(Ec2Context ctx)
    {
        var id = ctx.Request.Required("ImageId");
        if (ctx.World.DeregisteredImageIds.Contains(id))
        {
            throw new ApiException("InvalidAMIID.Unavailable", $"The image id '[{id}]' is no longer available");
        }
        var image = Image(ctx, id);
        if (image.OwnerId != SimulatedWorld.AccountId)
        {
            throw new ApiException("AuthFailure", $"Not authorized for image:{image.ImageId}");
        }
        ctx.ExitIfDryRun();
        ctx.World.Images.Remove(image);
        ctx.World.DeregisteredImageIds.Add(image.ImageId);
        yield return E("return", true);
    }

    private static IEnumerable<XElement> CreateImage(Ec2Context ctx)
    {
        var instance = ctx.SingleInstance();
        var name = ValidName(ctx, ctx.Request.Required("Name"));
        if (instance.IsInstanceStoreBacked)
        {
            throw new ApiException("UnsupportedOperation", $"The instance '{instance.InstanceId}' does not have an 'ebs' root device type; use ec2-bundle-vol and RegisterImage instead.");
        }
        if (instance.StateAt(ctx.Now) is not (InstanceStates.Running or InstanceStates.Stopped))
        {
            throw new ApiException("IncorrectState", $"Instance '{instance.InstanceId}' is not in a state from which an image can be created.");
        }
        var tags = ctx.Request.TagSpecifications().Where(t => t.ResourceType == "image").SelectMany(t => t.Tags).ToList();
        TagActions.Validate(tags);
        ctx.ExitIfDryRun();
        var devices = ctx.World.VolumesOf(instance.InstanceId).ToList().Select(v =>
        {
            var snapshot = VolumeActions.TakeSnapshot(ctx, v, $"Created by CreateImage({instance.InstanceId}) for {name}", instance.Random);
            return new ImageBlockDevice(v.Attachment!.Device, SnapshotId: snapshot.SnapshotId, VolumeSize: v.Size,
                DeleteOnTermination: v.Attachment.DeleteOnTermination, VolumeType: v.VolumeType);
        }).ToList();
        var image = ctx.World.AddImage(id => new ImageRecord
        {
            ImageId = id,
            Name = name,
            Description = ctx.Request.Get("Description"),
            Architecture = instance.Architecture,
            KernelId = instance.KernelId,
            RamdiskId = instance.RamdiskId,
            RootDeviceType = "ebs",
            RootDeviceName = instance.RootDeviceName,
            VirtualizationType = instance.VirtualizationType,
            EnaSupport = instance.EnaSupport,
            SriovNetSupport = instance.SriovNetSupport,
            BootMode = instance.BootMode,
            CreationDate = ctx.Now,
            AvailableAt = ctx.Now + instance.Random.Draw(Latencies.ImageAvailable),
            BlockDevices = devices,
        });
        foreach (var (key, value) in tags)
        {
            image.Tags[key] = value;
        }
        if (!ctx.Request.Bool("NoReboot") && instance.StateAt(ctx.Now) == InstanceStates.Running)
        {
            instance.Reboot(ctx.Now);
        }
        yield return E("imageId", image.ImageId);
    }

    private static string ValidName(Ec2Context ctx, string name)
    {
        if (!AmiName().IsMatch(name))
        {
            throw new ApiException("InvalidAMIName.Malformed", $"AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'");
        }
        if (ctx.World.Images.FirstOrDefault(i => i.Name == name) is { } existing)
        {
            throw new ApiException("InvalidAMIName.Duplicate", $"AMI name {name} is already in use by AMI {existing.ImageId}");
        }
        return name;
    }

    private static List<ImageBlockDevice> BlockDevices(QueryRequest r) =>
        r.Structs("BlockDeviceMapping").Select(m => new ImageBlockDevice(
            m.TryGetValue("DeviceName", out var d) ? d : throw new ApiException("InvalidBlockDeviceMapping", "A block device mapping is missing its DeviceName."),
            m.GetValueOrDefault("VirtualName"),
            m.GetValueOrDefault("Ebs.SnapshotId"),
            m.TryGetValue("Ebs.VolumeSize", out var size) ? ParsedSize(size) : null,
            m.TryGetValue("Ebs.DeleteOnTermination", out var del) ? ParsedBool(del) : null,
            m.GetValueOrDefault("Ebs.VolumeType"),
            m.ContainsKey("NoDevice"))).ToList();

    private static int ParsedSize(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is > 0 and <= 65536
            ? size
            : throw new ApiException("InvalidParameterValue", $"Value ({value}) for parameter volumeSize is invalid.");

    private static bool ParsedBool(string value) =>
        bool.TryParse(value, out var b) ? b : throw new ApiException("InvalidParameterValue", $"Value ({value}) for parameter deleteOnTermination is invalid.");

    [GeneratedRegex("^ami-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex AmiShape();

    [GeneratedRegex("^(aki|ari)-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex KernelImageShape();

    [GeneratedRegex(@"^[A-Za-z0-9()\[\] ./\-'@_]{3,128}$")]
    private static partial Regex AmiName();
}
