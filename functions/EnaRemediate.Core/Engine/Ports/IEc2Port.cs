namespace EnaRemediate.Core.Engine.Ports;

/// <summary>
/// Every EC2 call the engine can make. Each method names its IAM action so that the deployment's
/// policy is derived from this interface by reflection; mutating ones are limited to opted-in
/// instances there. Implementations throw <see cref="AwsCallException"/> for service errors.
/// </summary>
public interface IEc2Port
{
    /// <summary>One DescribeInstances for up to 1,000 ids; unknown ids are simply absent from the answer.</summary>
    [AwsAction("ec2:DescribeInstances")]
    Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>The NetworkInfo.EnaSupport (required, supported, unsupported) of each distinct type.</summary>
    [AwsAction("ec2:DescribeInstanceTypes")]
    Task<IReadOnlyDictionary<string, string>> DescribeTypeEnaSupportAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken);

    /// <summary>System and instance status checks, including instances that are not running.</summary>
    [AwsAction("ec2:DescribeInstanceStatus")]
    Task<IReadOnlyDictionary<string, Ec2StatusChecks>> DescribeInstanceStatusAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>One StopInstances for many ids. With dryRun a permitted call returns normally and changes nothing.</summary>
    [AwsAction("ec2:StopInstances", Mutating = true)]
    Task StopInstancesAsync(IReadOnlyList<string> instanceIds, bool force, bool dryRun, CancellationToken cancellationToken);

    /// <summary>One StartInstances for many ids (EC2 allows a burst of 5 calls, refilled 2 a second).</summary>
    [AwsAction("ec2:StartInstances", Mutating = true)]
    Task StartInstancesAsync(IReadOnlyList<string> instanceIds, bool dryRun, CancellationToken cancellationToken);

    /// <summary>ModifyInstanceAttribute EnaSupport; EC2 accepts it only while the instance is stopped.</summary>
    [AwsAction("ec2:ModifyInstanceAttribute", Mutating = true)]
    Task SetEnaSupportAsync(string instanceId, bool enabled, bool dryRun, CancellationToken cancellationToken);
}
