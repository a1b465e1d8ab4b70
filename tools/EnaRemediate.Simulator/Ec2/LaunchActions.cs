using System.Xml.Linq;
using EnaRemediate.Simulator.World;
using static EnaRemediate.Simulator.Ec2.Ec2Xml;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>RunInstances: new instances from an AMI, with EC2's ENA, virtualization and root-device checks.</summary>
internal static class LaunchActions
{
    public static void Register(Ec2Router router) => router.Add("RunInstances", RunInstances);

    private static IEnumerable<XElement> RunInstances(Ec2Context ctx)
    {
        var r = ctx.Request;
        if (r.Get("ClientToken") is { } token && ctx.World.Instances.Where(i => i.ClientToken == token).ToList() is { Count: > 0 } earlier)
        {
            // EC2's idempotency: the same client token returns the first launch, it does not launch again.
            yield return E("reservationId", "r-" + earlier[0].InstanceId[2..]);
            yield return E("ownerId", SimulatedWorld.AccountId);
            yield return E("groupSet");
            yield return Set("instancesSet", earlier.Select(i => InstanceXml.Item(ctx.World, i, ctx.Now)));
            yield break;
        }
        var image = ImageActions.Image(ctx, r.Required("ImageId"));
        var typeName = r.Get("InstanceType") ?? "m1.small";
        if (!InstanceTypeTable.TryGet(typeName, out var type))
        {
            throw new ApiException("InvalidParameterValue", $"Invalid value '{typeName}' for InstanceType.");
        }
        var min = r.Int("MinCount") ?? throw new ApiException("MissingParameter", "The request must contain the parameter MinCount");
        var max = r.Int("MaxCount") ?? throw new ApiException("MissingParameter", "The request must contain the parameter MaxCount");
        if (min < 1 || max < min || max > 1000)
        {
            throw new ApiException("InvalidParameterValue", "MinCount must be at least 1 and no more than MaxCount (at most 1000).");
        }
        if (image.StateAt(ctx.Now) != "available")
        {
            throw new ApiException("InvalidAMIID.Unavailable", $"AMI '{image.ImageId}' is pending, and cannot be run");
        }
        if (type.EnaSupport == InstanceTypeInfo.Required && !image.EnaSupport)
        {
            throw new ApiException("InvalidParameterCombination",
                $"Enhanced networking with the Elastic Network Adapter (ENA) is required for the '{type.Name}' instance type. Ensure that you are using an AMI that is enabled for ENA.");
        }
        if (!type.SupportedVirtualizationTypes.Contains(image.VirtualizationType))
        {
            throw new ApiException("InvalidParameterCombination",
                $"Virtualization type '{image.VirtualizationType}' is not supported for the '{type.Name}' instance type.");
        }
        if (ctx.World.Faults.TryTakeRefusedLaunch())
        {
            throw new ApiException("VcpuLimitExceeded",
                "You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.");
        }
        // RunInstances checks the type's architecture against the AMI's, and the type's offering in the zone
        // (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/troubleshooting-launch.html).
        if (!type.Architectures.Contains(image.Architecture))
        {
            throw new ApiException("InvalidParameterValue",
                $"The architecture '{string.Join(",", type.Architectures)}' of the specified instance type does not match the architecture '{image.Architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again.");
        }
        var zone = r.Get("Placement.AvailabilityZone") ?? "us-east-1a";
        if (!ctx.World.IsOffered(type, zone))
        {
            throw new ApiException("Unsupported", $"Your requested instance type ({type.Name}) is not supported in your requested Availability Zone ({zone}).");
        }
        if (!type.SupportedRootDeviceTypes.Contains(image.RootDeviceType))
        {
            throw new ApiException("InvalidParameterCombination",
                $"The '{type.Name}' instance type does not support an AMI with a root device type of '{image.RootDeviceType}'.");
        }
        var tags = r.TagSpecifications().Where(t => t.ResourceType == "instance").SelectMany(t => t.Tags).ToList();
        TagActions.Validate(tags);
        var guest = GuestOf(ctx, image);
        var lifecycle = r.Get("InstanceMarketOptions.MarketType") switch
        {
            null => null,
            "spot" => "spot",
            var other => throw new ApiException("InvalidParameterValue", $"Value ({other}) for parameter MarketType is invalid."),
        };
        ctx.ExitIfDryRun();
        var tagMap = tags.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        var launched = Enumerable.Range(0, max).Select(_ =>
        {
            var instance = ctx.World.Launch(new LaunchSpec(type, image, guest.Clone(), image.EnaSupport, tagMap, lifecycle) { AvailabilityZone = zone }, ctx.Now);
            instance.SubnetId = r.Get("SubnetId") ?? instance.SubnetId;
            instance.SecurityGroupIds = r.List("SecurityGroupId") is { Count: > 0 } groups ? groups : instance.SecurityGroupIds;
            instance.KeyName = r.Get("KeyName");
            instance.IamInstanceProfileArn = r.Get("IamInstanceProfile.Arn");
            instance.UserData = r.Get("UserData");
            instance.ClientToken = r.Get("ClientToken");
            instance.BeginStart(ctx.Now);
            return instance;
        }).ToList();
        yield return E("reservationId", "r-" + launched[0].InstanceId[2..]);
        yield return E("ownerId", SimulatedWorld.AccountId);
        yield return E("groupSet");
        yield return Set("instancesSet", launched.Select(i => InstanceXml.Item(ctx.World, i, ctx.Now)));
    }

    // The OS of the new root: the root snapshot's for EBS AMIs, the bundle's for instance-store ones.
    private static GuestOs GuestOf(Ec2Context ctx, ImageRecord image)
    {
        if (image.RootDeviceType == "instance-store")
        {
            return image.BundledGuest ?? throw new ApiException("InvalidAMIID.Unavailable", $"AMI '{image.ImageId}' has no bundle.");
        }
        var root = image.BlockDevices.FirstOrDefault(b => b.DeviceName == image.RootDeviceName)?.SnapshotId
            ?? throw new ApiException("InvalidBlockDeviceMapping", $"AMI '{image.ImageId}' has no root device snapshot.");
        return VolumeActions.Snapshot(ctx, root).Guest
            ?? throw new ApiException("InvalidSnapshot.NotFound", $"The snapshot '{root}' holds no file system.");
    }
}
