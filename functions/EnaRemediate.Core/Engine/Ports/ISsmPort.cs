namespace EnaRemediate.Core.Engine.Ports;

/// <summary>Every SSM call the engine can make, each with its IAM action (see <see cref="IEc2Port"/>).</summary>
public interface ISsmPort
{
    /// <summary>DescribeInstanceInformation's largest page (MaxResults 5–50): how many agents one call can list.</summary>
    public const int PingPageSize = 50;

    /// <summary>PingStatus (Online, ConnectionLost, Inactive) of the managed instances among these ids; absent ids are unknown to SSM.</summary>
    [AwsAction("ssm:DescribeInstanceInformation")]
    Task<IReadOnlyDictionary<string, string>> DescribePingStatusAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>
    /// Which of these instances' agents are Online (the PingStatus=Online filter beside the ids): a
    /// wait for the agent needs no more, and SSM then answers with the few that are instead of a
    /// page entry for every registered agent.
    /// </summary>
    [AwsAction("ssm:DescribeInstanceInformation")]
    Task<IReadOnlySet<string>> DescribeOnlineAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>Runs a Command document on up to 50 instances; returns the command id.</summary>
    [AwsAction("ssm:SendCommand", Mutating = true)]
    Task<string> SendCommandAsync(string documentName, IReadOnlyList<string> instanceIds, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken cancellationToken);

    /// <summary>
    /// Every instance's part of a command in one call (paged): polled while a command runs. A
    /// finished part carries its whole result when it fits the listing, so a small output costs no
    /// GetCommandInvocation.
    /// </summary>
    [AwsAction("ssm:ListCommandInvocations")]
    Task<IReadOnlyList<RecentInvocation>> ListInvocationsAsync(string commandId, CancellationToken cancellationToken);

    /// <summary>
    /// Every instance's invocations of one document requested since <paramref name="invokedAfter"/>
    /// (ListCommandInvocations with the DocumentName and InvokedAfter filters, no instance id: SSM
    /// cannot filter a Pending invocation by instance). Read before sending a command, so that one
    /// already running on the host is adopted instead of sent again.
    /// </summary>
    [AwsAction("ssm:ListCommandInvocations")]
    Task<IReadOnlyList<RecentInvocation>> ListRecentInvocationsAsync(string documentName, DateTimeOffset invokedAfter, CancellationToken cancellationToken);

    /// <summary>The status and output of one instance's part of a command; null while SSM does not know the invocation yet.</summary>
    [AwsAction("ssm:GetCommandInvocation")]
    Task<CommandInvocation?> GetCommandInvocationAsync(string commandId, string instanceId, CancellationToken cancellationToken);
}
