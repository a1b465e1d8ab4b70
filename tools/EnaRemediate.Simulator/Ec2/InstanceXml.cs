using System.Xml.Linq;
using EnaRemediate.Simulator.World;
using static EnaRemediate.Simulator.Ec2.Ec2Xml;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>An instance as DescribeInstances/RunInstances render it (the members the SDK's Instance unmarshaller reads).</summary>
internal static class InstanceXml
{
    public static object?[] Item(SimulatedWorld world, SimulatedInstance i, DateTimeOffset now)
    {
        var state = i.StateAt(now);
        var volumes = world.VolumesOf(i.InstanceId).ToList();
        return
        [
            E("instanceId", i.InstanceId),
            E("imageId", i.ImageId),
            State(state),
            E("privateDnsName", $"ip-{i.PrivateIpAddress.Replace('.', '-')}.ec2.internal"),
            E("dnsName", ""),
            E("reason", i.StateTransitionReason),
            E("amiLaunchIndex", 0),
            Set("productCodes", i.ProductCodes.Select(c => new object?[] { E("productCode", c), E("type", "marketplace") })),
            E("instanceType", i.Type.Name),
            E("launchTime", i.LaunchTime),
            E("placement", E("availabilityZone", i.AvailabilityZone), E("groupName", ""), E("tenancy", i.Tenancy),
                i.Tenancy == "host" ? E("hostId", "h-0" + i.InstanceId[3..]) : null),
            i.KernelId is null ? null : E("kernelId", i.KernelId),
            i.RamdiskId is null ? null : E("ramdiskId", i.RamdiskId),
            E("platformDetails", "Linux/UNIX"),
            E("monitoring", E("state", "disabled")),
            E("subnetId", i.SubnetId),
            i.KeyName is null ? null : E("keyName", i.KeyName),
            Set("groupSet", i.SecurityGroupIds.Select(g => new object?[] { E("groupId", g), E("groupName", g == "sg-0a1b2c3d4e5f60718" ? "default" : g) })),
            i.IamInstanceProfileArn is null ? null : E("iamInstanceProfile", E("arn", i.IamInstanceProfileArn), E("id", "AIPA" + i.InstanceId[2..].ToUpperInvariant())),
            E("vpcId", "vpc-0a1b2c3d4e5f60718"),
            E("privateIpAddress", i.PrivateIpAddress),
            StateReason(state),
            E("architecture", i.Architecture),
            E("rootDeviceType", i.RootDeviceType),
            E("rootDeviceName", i.RootDeviceName),
            Set("blockDeviceMapping", volumes.Select(v => new object?[]
            {
                E("deviceName", v.Attachment!.Device),
                E("ebs", E("volumeId", v.VolumeId), E("status", v.Attachment.StateAt(now)),
                    E("attachTime", v.Attachment.AttachTime), E("deleteOnTermination", v.Attachment.DeleteOnTermination)),
            })),
            Set("networkInterfaceSet", Enumerable.Range(0, i.NetworkInterfaces).Select(n => new object?[]
            {
                E("networkInterfaceId", $"eni-{n:x2}{i.InstanceId[4..]}"),
                E("subnetId", i.SubnetId),
                E("status", "in-use"),
                E("attachment", E("attachmentId", $"eni-attach-{n:x2}{i.InstanceId[4..]}"), E("deviceIndex", n), E("networkCardIndex", 0), E("status", "attached")),
            })),
            i.InstanceLifecycle is null ? null : E("instanceLifecycle", i.InstanceLifecycle),
            E("virtualizationType", i.VirtualizationType),
            E("clientToken", i.ClientToken ?? ""),
            TagSet(i.Tags),
            // Instance.Hypervisor only knows ovm|xen: EC2 reports Nitro instances as xen too.
            E("hypervisor", "xen"),
            i.SriovNetSupport ? E("sriovNetSupport", "simple") : null,
            E("enaSupport", i.EnaSupport),
            E("bootMode", i.BootMode),
            E("currentInstanceBootMode", i.BootMode),
        ];
    }

    private static XElement? StateReason(string state) => state switch
    {
        InstanceStates.Stopped or InstanceStates.Stopping => E("stateReason",
            E("code", "Client.UserInitiatedShutdown"), E("message", "Client.UserInitiatedShutdown: User initiated shutdown")),
        InstanceStates.Terminated or InstanceStates.ShuttingDown => E("stateReason",
            E("code", "Client.UserInitiatedShutdown"), E("message", "Client.UserInitiatedShutdown: User initiated shutdown")),
        _ => null,
    };

    /// <summary>instancesSet items of Start/Stop/TerminateInstances: id, current and previous state.</summary>
    public static object?[] StateChange(string instanceId, string previous, string current) =>
    [
        E("instanceId", instanceId),
        StateNamed("currentState", current),
        StateNamed("previousState", previous),
    ];
}
