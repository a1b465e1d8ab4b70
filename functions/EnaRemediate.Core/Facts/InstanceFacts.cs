using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Facts;

/// <summary>
/// Everything observed about one instance at one moment: the EC2 description, its type's
/// EnaSupport, both status checks and the SSM agent's ping. <see cref="Instance"/> is null when
/// EC2 does not know the id, or when the look read only the instance's state (<see cref="ObservedState"/>).
/// </summary>
public sealed record InstanceFacts(
    string InstanceId,
    Ec2Instance? Instance,
    string? TypeEnaSupport,
    Ec2StatusChecks? Status,
    string? SsmPingStatus)
{
    /// <summary>What routing a Nitro (ENA-required) instance needs; null for other instances or when not gathered.</summary>
    public NitroFacts? Nitro { get; init; }

    /// <summary>Auto Scaling's word on membership (DescribeAutoScalingInstances); null when not a member or not asked.</summary>
    public AutoScalingMembership? AutoScaling { get; init; }

    /// <summary>Whether DescribeAutoScalingInstances was asked, so a missing membership means "not a member" rather than "unknown".</summary>
    public bool AutoScalingChecked { get; init; }

    /// <summary>
    /// The state DescribeInstanceStatus gave when the look read no description for the instance
    /// (its step needs only the state: <see cref="Plans.IPlanStep.ObservesAttributes"/>); null otherwise.
    /// </summary>
    public string? ObservedState { get; init; }

    /// <summary>
    /// The look left the SSM ping unread: the step reads it only once both checks are ok
    /// (<see cref="Plans.IPlanStep.ObservesPingOnlyWhenChecksOk"/>) and they were not.
    /// </summary>
    public bool PingDeferred { get; init; }

    /// <summary>
    /// The look asked SSM only whether the agent is Online (<see cref="Plans.IPlanStep.ObservesOnlyWhetherOnline"/>):
    /// <see cref="SsmPingStatus"/> is "Online" or null, and null says "not Online", not "not registered".
    /// </summary>
    public bool PingOnlineOnly { get; init; }

    /// <summary>The agent's ping as a wait or a failure names it: its status, or why the look has none.</summary>
    public string PingText => SsmPingStatus ?? (PingDeferred ? "checked once the status checks pass" : PingOnlineOnly ? "not online yet" : "not registered");

    /// <summary>Whether this look read the EC2 description (attributes, tags, type); false for a state-only look or an id EC2 does not know.</summary>
    public bool Described => Instance is not null;

    public bool Found => Instance is not null || ObservedState is not null;
    public string State => Instance?.State ?? ObservedState ?? "not-found";

    /// <summary>Running with the SSM agent online: the instance can take a command (the status checks may still be settling).</summary>
    public bool IsManaged => State == "running" && SsmPingStatus == "Online";

    /// <summary>Running, both checks ok and the SSM agent online: the instance can take a command.</summary>
    public bool IsHealthyAndManaged =>
        State == "running" && Status is { InstanceStatus: "ok", SystemStatus: "ok" } && SsmPingStatus == "Online";

    public string? Tag(string key) => Instance is not null && Instance.Tags.TryGetValue(key, out var v) ? v : null;
}
