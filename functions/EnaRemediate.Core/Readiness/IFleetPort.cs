using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Readiness;

/// <summary>The calls the inventory makes beyond the engine's ports: finding a fleet by its tags, and the collect runs already made (the daily association's).</summary>
public interface IFleetPort
{
    /// <summary>Every instance that is not terminated and carries all these tags (any value matches a null value); every instance when none are given.</summary>
    [AwsAction("ec2:DescribeInstances")]
    Task<IReadOnlyList<Ec2Instance>> FindInstancesAsync(IReadOnlyList<TagFilter> tags, CancellationToken cancellationToken);

    /// <summary>The invocations of one document requested since a moment, newest first (statuses only, no output).</summary>
    [AwsAction("ssm:ListCommandInvocations")]
    Task<IReadOnlyList<RecentInvocation>> ListRecentInvocationsAsync(string documentName, DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>A tag an instance must carry: KEY=VALUE on the command line.</summary>
public sealed record TagFilter(string Key, string? Value);
