using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>
/// What EC2 checks when ModifyInstanceAttribute changes InstanceType, from the EC2 User Guide,
/// "Compatibility for changing the instance type"
/// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resize-limitations.html): the instance is
/// stopped, the target has the same architecture, supports its virtualization type and its boot
/// mode, allows as many network interfaces as it has attached, is offered in its Availability
/// Zone (DescribeInstanceTypeOfferings,
/// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypeOfferings.html)
/// and can run on its tenancy (a Dedicated Host runs one family:
/// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/dedicated-hosts-overview.html).
/// </summary>
internal static class TypeChangeRules
{
    public static void Check(SimulatedWorld world, SimulatedInstance instance, InstanceTypeInfo target, string state)
    {
        if (state != InstanceStates.Stopped)
        {
            throw new ApiException("IncorrectInstanceState", $"The instance '{instance.InstanceId}' is not in the 'stopped' state.");
        }
        if (!target.Architectures.Contains(instance.Architecture))
        {
            throw new ApiException("InvalidInstanceAttributeValue",
                $"The architecture '{string.Join(",", target.Architectures)}' of the specified instance type does not match the architecture '{instance.Architecture}' of the instance '{instance.InstanceId}'.");
        }
        if (!target.SupportedVirtualizationTypes.Contains(instance.VirtualizationType))
        {
            throw new ApiException("InvalidInstanceAttributeValue",
                $"Virtualization type '{instance.VirtualizationType}' is not supported for the '{target.Name}' instance type.");
        }
        if (!target.BootModes().Contains(instance.BootMode))
        {
            throw new ApiException("InvalidInstanceAttributeValue",
                $"The instance type '{target.Name}' does not support the boot mode '{instance.BootMode}' of instance '{instance.InstanceId}'.");
        }
        if (instance.NetworkInterfaces > target.MaxNetworkInterfaces())
        {
            throw new ApiException("InvalidInstanceAttributeValue",
                $"The instance '{instance.InstanceId}' has {instance.NetworkInterfaces} network interfaces; '{target.Name}' supports at most {target.MaxNetworkInterfaces()}.");
        }
        if (instance.Tenancy == "host" && target.Family() != instance.Type.Family())
        {
            throw new ApiException("InvalidInstanceAttributeValue",
                $"Modifying the instance type from {instance.Type.Name} to {target.Name} is not allowed: the Dedicated Host supports {instance.Type.Family()} instances only.");
        }
        if (!world.IsOffered(target, instance.AvailabilityZone))
        {
            // EC2's answer for a type the zone does not offer.
            throw new ApiException("Unsupported",
                $"The requested configuration is currently not supported. Please check the documentation for supported configurations. ({target.Name} is not offered in {instance.AvailabilityZone})");
        }
    }
}
