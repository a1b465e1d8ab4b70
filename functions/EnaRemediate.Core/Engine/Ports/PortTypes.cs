namespace EnaRemediate.Core.Engine.Ports;

/// <summary>What DescribeInstances says about one instance, in plain Core types.</summary>
public sealed record Ec2Instance
{
    public required string InstanceId { get; init; }
    /// <summary>pending, running, stopping, stopped, shutting-down, terminated.</summary>
    public required string State { get; init; }
    public string? InstanceType { get; init; }
    /// <summary>ebs or instance-store.</summary>
    public string? RootDeviceType { get; init; }
    /// <summary>hvm or paravirtual.</summary>
    public string? VirtualizationType { get; init; }
    public bool EnaSupport { get; init; }
    /// <summary>spot, scheduled or capacity-block; null for on-demand.</summary>
    public string? InstanceLifecycle { get; init; }
    public string? ImageId { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

/// <summary>The two status checks: ok, impaired, initializing, insufficient-data, not-applicable.</summary>
public sealed record Ec2StatusChecks(string SystemStatus, string InstanceStatus)
{
    /// <summary>
    /// The instance's state as the same answer gave it (DescribeInstanceStatus with
    /// IncludeAllInstances names it for every instance); null when the source did not say.
    /// </summary>
    public string? State { get; init; }
}

/// <summary>One instance's part of an SSM command.</summary>
public sealed record CommandInvocation(string Status, int? ResponseCode, string StandardOutput, string StandardError)
{
    /// <summary>Pending, InProgress and Delayed are still running; everything else is final.</summary>
    public bool IsFinal => Status is not ("Pending" or "InProgress" or "Delayed");
    public bool Succeeded => Status == "Success";
}

/// <summary>
/// One instance's part of a command as a listing shows it. <paramref name="Result"/>: its result,
/// when the listing carried all of its stdout (a final invocation of a one-step document whose
/// stdout the listing's 2,500 characters did not cut; its stderr may be cut, ending with the
/// agent's marker); otherwise GetCommandInvocation has it.
/// </summary>
public sealed record RecentInvocation(string CommandId, string InstanceId, string Status, DateTimeOffset RequestedAt, string? Comment = null, CommandInvocation? Result = null)
{
    public bool InFlight => Status is "Pending" or "InProgress" or "Delayed";
}

/// <summary>
/// An AWS service error in Core terms. <see cref="Throttled"/> marks RequestLimitExceeded and
/// friends (retry later, nothing is wrong). A permitted EC2 DryRun is not an error: the adapter
/// turns DryRunOperation into a normal return.
/// </summary>
public sealed class AwsCallException(string action, string errorCode, string message, bool throttled = false)
    : Exception($"{action} failed: {errorCode}: {message}")
{
    public string Action { get; } = action;
    public string ErrorCode { get; } = errorCode;
    public bool Throttled { get; } = throttled;

    /// <summary>AWS's own words, without the action and code that <see cref="Exception.Message"/> adds (for text that names those already).</summary>
    public string ServiceMessage { get; } = message;
}
