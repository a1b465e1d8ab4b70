using System.Xml.Linq;
using EnaRemediate.Simulator.World;
using static EnaRemediate.Simulator.Ec2.Ec2Xml;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>DescribeInstances, StartInstances, StopInstances, TerminateInstances and the instance attributes.</summary>
internal static class InstanceActions
{
    private static readonly FilterSet<(SimulatedInstance I, DateTimeOffset Now)> InstanceFilters = new FilterSet<(SimulatedInstance I, DateTimeOffset Now)>()
        .On("instance-id", x => x.I.InstanceId)
        .On("instance-state-name", x => x.I.StateAt(x.Now))
        .On("instance-state-code", x => InstanceStates.Code(x.I.StateAt(x.Now)).ToString(System.Globalization.CultureInfo.InvariantCulture))
        .On("instance-type", x => x.I.Type.Name)
        .On("image-id", x => x.I.ImageId)
        .On("root-device-type", x => x.I.RootDeviceType)
        .On("virtualization-type", x => x.I.VirtualizationType)
        .On("availability-zone", x => x.I.AvailabilityZone)
        .On("private-ip-address", x => x.I.PrivateIpAddress)
        .On("instance-lifecycle", x => x.I.InstanceLifecycle)
        .On("architecture", x => x.I.Architecture)
        .WithTags(x => x.I.Tags);

    public static void Register(Ec2Router router)
    {
        router.Add("DescribeInstances", DescribeInstances);
        router.Add("StartInstances", StartInstances);
        router.Add("StopInstances", StopInstances);
        router.Add("TerminateInstances", TerminateInstances);
        router.Add("RebootInstances", RebootInstances);
        router.Add("DescribeInstanceAttribute", DescribeInstanceAttribute);
        router.Add("ModifyInstanceAttribute", ModifyInstanceAttribute);
    }

    private static IEnumerable<XElement> DescribeInstances(Ec2Context ctx)
    {
        var ids = ctx.Request.List("InstanceId");
        if (ids.Count > 0 && ctx.Request.Get("MaxResults") is not null)
        {
            throw new ApiException("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
        }
        var candidates = ids.Count > 0 ? ctx.Instances(ids) : ctx.World.Instances;
        var match = InstanceFilters.Compile(ctx.Request.Filters());
        var selected = candidates.Where(i => match((i, ctx.Now))).ToList();
        ctx.ExitIfDryRun();
        var (page, next) = Paging.Page(selected, ctx.Request, 5, 1000);
        yield return Set("reservationSet", page.Select(i => new object?[]
        {
            E("reservationId", "r-" + i.InstanceId[2..]),
            E("ownerId", SimulatedWorld.AccountId),
            E("groupSet"),
            Set("instancesSet", [InstanceXml.Item(ctx.World, i, ctx.Now)]),
        }));
        if (next is not null)
        {
            yield return E("nextToken", next);
        }
    }

    private static IEnumerable<XElement> StopInstances(Ec2Context ctx)
    {
        var instances = ctx.RequiredInstances();
        var force = ctx.Request.Bool("Force");
        foreach (var i in instances)
        {
            if (i.IsInstanceStoreBacked)
            {
                throw new ApiException("UnsupportedOperation", $"The instance '{i.InstanceId}' does not have an 'ebs' root device type and cannot be stopped.");
            }
            // EC2 refuses to stop an instance that has not reached running yet (pending), as well as one going away.
            if (i.StateAt(ctx.Now) is InstanceStates.Pending or InstanceStates.ShuttingDown or InstanceStates.Terminated)
            {
                throw new ApiException("IncorrectInstanceState", $"This instance '{i.InstanceId}' is not in a state from which it can be stopped.");
            }
            if (i.InstanceLifecycle == "spot")
            {
                // The simulator's Spot Instances come from one-time requests, which EC2 will not stop.
                throw new ApiException("UnsupportedOperation", $"You can't stop the Spot Instance '{i.InstanceId}' because it is associated with a one-time Spot Instance request. You can only stop Spot Instances associated with persistent Spot Instance requests.");
            }
        }
        ctx.ExitIfDryRun();
        var changes = new List<object?[]>();
        foreach (var i in instances)
        {
            var previous = i.StateAt(ctx.Now);
            // Stopping a stopped instance is not an error; EC2 just reports it stopped.
            if (previous == InstanceStates.Running || (previous == InstanceStates.Stopping && force))
            {
                i.BeginStop(ctx.Now, force, ctx.World.Faults.For(i.InstanceId).StuckStopping);
            }
            changes.Add(InstanceXml.StateChange(i.InstanceId, previous, i.StateAt(ctx.Now)));
        }
        yield return Set("instancesSet", changes);
    }

    private static IEnumerable<XElement> StartInstances(Ec2Context ctx)
    {
        var instances = ctx.RequiredInstances();
        foreach (var i in instances)
        {
            var state = i.StateAt(ctx.Now);
            if (state is InstanceStates.Stopping or InstanceStates.ShuttingDown or InstanceStates.Terminated)
            {
                throw new ApiException("IncorrectInstanceState", $"The instance '{i.InstanceId}' is not in a state from which it can be started.");
            }
            if (state != InstanceStates.Stopped)
            {
                continue;
            }
            if (i.Type.EnaSupport == InstanceTypeInfo.Required && !i.EnaSupport)
            {
                throw new ApiException("InvalidParameterCombination",
                    $"Enhanced networking with the Elastic Network Adapter (ENA) is required for the '{i.Type.Name}' instance type. Ensure that your instance '{i.InstanceId}' is enabled for ENA.");
            }
            if (ctx.World.RootVolumeOf(i) is null)
            {
                throw new ApiException("InvalidParameterValue",
                    $"Invalid value '{i.InstanceId}' for instanceId. Instance does not have a volume attached at root ({i.RootDeviceName})");
            }
        }
        ctx.ExitIfDryRun();
        foreach (var i in instances)
        {
            var faults = ctx.World.Faults.For(i.InstanceId);
            // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/troubleshooting-launch.html#troubleshooting-launch-capacity
            if (i.StateAt(ctx.Now) == InstanceStates.Stopped && (faults.InsufficientCapacityStarts > 0 || (faults.NoXenCapacity && i.Type.Hypervisor == "xen")))
            {
                faults.InsufficientCapacityStarts = Math.Max(0, faults.InsufficientCapacityStarts - 1);
                throw new ApiException("InsufficientInstanceCapacity",
                    $"We currently do not have sufficient {i.Type.Name} capacity in the Availability Zone you requested ({i.AvailabilityZone}). Our system will be working on provisioning additional capacity. You can currently get {i.Type.Name} capacity by not specifying an Availability Zone in your request or choosing a different Availability Zone.",
                    500);
            }
        }
        var changes = new List<object?[]>();
        foreach (var i in instances)
        {
            var previous = i.StateAt(ctx.Now);
            if (previous == InstanceStates.Stopped)
            {
                i.BeginStart(ctx.Now);
            }
            changes.Add(InstanceXml.StateChange(i.InstanceId, previous, i.StateAt(ctx.Now)));
        }
        yield return Set("instancesSet", changes);
    }

    private static IEnumerable<XElement> TerminateInstances(Ec2Context ctx)
    {
        var instances = ctx.RequiredInstances();
        ctx.ExitIfDryRun();
        var changes = new List<object?[]>();
        foreach (var i in instances)
        {
            var previous = i.StateAt(ctx.Now);
            if (previous is not (InstanceStates.ShuttingDown or InstanceStates.Terminated))
            {
                i.BeginTerminate(ctx.Now);
                VolumeActions.ReleaseOnTermination(ctx, i);
            }
            changes.Add(InstanceXml.StateChange(i.InstanceId, previous, i.StateAt(ctx.Now)));
        }
        yield return Set("instancesSet", changes);
    }

    // An OS reboot: the guest comes back on its newest kernel, status checks run again.
    private static IEnumerable<XElement> RebootInstances(Ec2Context ctx)
    {
        var instances = ctx.RequiredInstances();
        foreach (var i in instances)
        {
            if (i.StateAt(ctx.Now) is not (InstanceStates.Running or InstanceStates.Pending))
            {
                throw new ApiException("IncorrectInstanceState", $"The instance '{i.InstanceId}' is not in a state from which it can be rebooted.");
            }
        }
        ctx.ExitIfDryRun();
        foreach (var i in instances.Where(i => i.StateAt(ctx.Now) == InstanceStates.Running))
        {
            i.Reboot(ctx.Now);
        }
        yield return E("return", true);
    }

    private static IEnumerable<XElement> DescribeInstanceAttribute(Ec2Context ctx)
    {
        var i = ctx.SingleInstance();
        var attribute = ctx.Request.Required("Attribute");
        XElement value = attribute switch
        {
            "enaSupport" => E("enaSupport", E("value", i.EnaSupport)),
            "sriovNetSupport" => E("sriovNetSupport", i.SriovNetSupport ? E("value", "simple") : null),
            "instanceType" => E("instanceType", E("value", i.Type.Name)),
            "rootDeviceName" => E("rootDeviceName", E("value", i.RootDeviceName)),
            "userData" => E("userData", i.UserData is null ? null : E("value", i.UserData)),
            "kernel" => E("kernel", i.KernelId is null ? null : E("value", i.KernelId)),
            "ramdisk" => E("ramdisk", i.RamdiskId is null ? null : E("value", i.RamdiskId)),
            "blockDeviceMapping" => Set("blockDeviceMapping", ctx.World.VolumesOf(i.InstanceId).Select(v => new object?[]
            {
                E("deviceName", v.Attachment!.Device),
                E("ebs", E("volumeId", v.VolumeId), E("status", v.Attachment.StateAt(ctx.Now)),
                    E("attachTime", v.Attachment.AttachTime), E("deleteOnTermination", v.Attachment.DeleteOnTermination)),
            })),
            _ => throw new ApiException("InvalidParameterValue", $"Value ({attribute}) for parameter attribute is invalid. Unknown attribute."),
        };
        ctx.ExitIfDryRun();
        yield return E("instanceId", i.InstanceId);
        yield return value;
    }

    // One attribute per call (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceAttribute.html):
    // EnaSupport and InstanceType need the instance stopped; BlockDeviceMapping changes DeleteOnTermination of an attached volume.
    private static IEnumerable<XElement> ModifyInstanceAttribute(Ec2Context ctx)
    {
        var i = ctx.SingleInstance();
        var ena = ctx.Request.Get("EnaSupport.Value")
            ?? (ctx.Request.Get("Attribute") == "enaSupport" ? ctx.Request.Get("Value") : null);
        var type = ctx.Request.Get("InstanceType.Value")
            ?? (ctx.Request.Get("Attribute") == "instanceType" ? ctx.Request.Get("Value") : null);
        var mappings = ctx.Request.Structs("BlockDeviceMapping");
        if (ena is null && type is null && mappings.Count == 0)
        {
            throw new ApiException("InvalidParameterCombination", "No attributes specified.");
        }
        if (ena is not null && !bool.TryParse(ena, out _))
        {
            throw new ApiException("InvalidParameterValue", $"Value ({ena}) for parameter enaSupport is invalid. Expected a boolean.");
        }
        InstanceTypeInfo? newType = null;
        if (type is not null && !InstanceTypeTable.TryGet(type, out newType))
        {
            throw new ApiException("InvalidParameterValue", $"Invalid value '{type}' for InstanceType.");
        }
        if (mappings.Count > 0)
        {
            var changes = DeleteOnTerminationChanges(ctx, i, mappings);
            ctx.ExitIfDryRun();
            foreach (var (attachment, value) in changes)
            {
                attachment.DeleteOnTermination = value;
            }
            yield return E("return", true);
            yield break;
        }
        var state = i.StateAt(ctx.Now);
        if (newType is not null)
        {
            TypeChangeRules.Check(ctx.World, i, newType, state);
        }
        else if (state != InstanceStates.Stopped)
        {
            throw new ApiException("IncorrectInstanceState", $"The instance '{i.InstanceId}' is not in the 'stopped' state.");
        }
        ctx.ExitIfDryRun();
        if (ena is not null)
        {
            i.EnaSupport = bool.Parse(ena);
        }
        if (newType is not null)
        {
            i.Type = newType;
        }
        yield return E("return", true);
    }

    private static List<(VolumeAttachment Attachment, bool Value)> DeleteOnTerminationChanges(Ec2Context ctx, SimulatedInstance i, IReadOnlyList<IReadOnlyDictionary<string, string>> mappings)
    {
        var changes = new List<(VolumeAttachment, bool)>();
        foreach (var mapping in mappings)
        {
            var device = mapping.GetValueOrDefault("DeviceName") ?? throw new ApiException("MissingParameter", "The request must contain the parameter BlockDeviceMapping.N.DeviceName");
            if (!bool.TryParse(mapping.GetValueOrDefault("Ebs.DeleteOnTermination"), out var value))
            {
                throw new ApiException("InvalidParameterValue", "BlockDeviceMapping.N.Ebs.DeleteOnTermination must be true or false.");
            }
            var volume = ctx.World.VolumesOf(i.InstanceId).FirstOrDefault(v => v.Attachment!.Device == device)
                ?? throw new ApiException("InvalidInstanceAttributeValue", $"No device is currently mapped at {device}");
            changes.Add((volume.Attachment!, value));
        }
        return changes;
    }
}
