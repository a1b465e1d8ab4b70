namespace EnaRemediate.Core.Engine.Ports;

/// <summary>
/// The Auto Scaling calls the engine makes: who is a member and in which lifecycle state, and
/// Standby in and out (a member in Standby is not replaced when it is stopped). Implementations
/// throw <see cref="AwsCallException"/> for service errors.
/// </summary>
public interface IAutoScalingPort
{
    /// <summary>DescribeAutoScalingInstances: members among these ids (up to 50 per call); non-members are absent.</summary>
    [AwsAction("autoscaling:DescribeAutoScalingInstances")]
    Task<IReadOnlyDictionary<string, AutoScalingMembership>> DescribeMembershipAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>EnterStandby with ShouldDecrementDesiredCapacity=true, so the group launches no replacement.</summary>
    [AwsAction("autoscaling:EnterStandby", Mutating = true)]
    Task EnterStandbyAsync(string groupName, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>ExitStandby: the group takes the instances back (and raises its desired capacity again).</summary>
    [AwsAction("autoscaling:ExitStandby", Mutating = true)]
    Task ExitStandbyAsync(string groupName, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);
}

/// <summary>One member: its group and lifecycle state (InService, Standby, Pending, Terminating, …).</summary>
public sealed record AutoScalingMembership(string InstanceId, string GroupName, string LifecycleState)
{
    public const string InService = "InService";
    public const string Standby = "Standby";
}
