using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Core.Engine.Ports;
using CommandInvocation = EnaRemediate.Core.Engine.Ports.CommandInvocation;

namespace EnaRemediate.Aws.Engine;

/// <summary><see cref="ISsmPort"/> on the AWS SDK v4 (JSON 1.1 protocol).</summary>
public sealed class SsmAdapter(IAmazonSimpleSystemsManagement ssm) : ISsmPort
{
    /// <summary>
    /// The InstanceIds filter of DescribeInstanceInformation takes at most 100 values
    /// (InstanceInformationFilterValueSet, 1–100 items); a page holds at most 50 (MaxResults 5–50),
    /// so 100 ids cost one call while at most half are registered, two when all are.
    /// </summary>
    private const int FilterMax = 100;

    private static readonly InstanceInformationStringFilter OnlineOnly = new() { Key = "PingStatus", Values = ["Online"] };

    /// <summary>
    /// Set once SSM refused the PingStatus filter beside the InstanceIds filter (documented as valid
    /// together; an endpoint that disagrees must not stop every wait): from then on an online read
    /// is a whole read, filtered here.
    /// </summary>
    private volatile bool _onlineFilterRefused;

    public Task<IReadOnlyDictionary<string, string>> DescribePingStatusAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken) =>
        PingStatusAsync(instanceIds, null, cancellationToken);

    public async Task<IReadOnlySet<string>> DescribeOnlineAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string> pings;
        try
        {
            pings = await PingStatusAsync(instanceIds, _onlineFilterRefused ? null : OnlineOnly, cancellationToken);
        }
        catch (AwsCallException e) when (e.ErrorCode is "InvalidFilterKey" or "InvalidInstanceInformationFilterValue" && !_onlineFilterRefused)
        {
            _onlineFilterRefused = true;
            pings = await PingStatusAsync(instanceIds, null, cancellationToken);
        }
        return pings.Where(p => p.Value == "Online").Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every page of DescribeInstanceInformation for the ids, 100 a call, with <paramref name="also"/> beside the InstanceIds filter.</summary>
    private async Task<IReadOnlyDictionary<string, string>> PingStatusAsync(IReadOnlyList<string> instanceIds, InstanceInformationStringFilter? also, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in instanceIds.Chunk(FilterMax))
        {
            var filters = new List<InstanceInformationStringFilter> { new() { Key = "InstanceIds", Values = chunk.ToList() } };
            if (also is not null)
            {
                filters.Add(also);
            }
            string? next = null;
            do
            {
                var response = await Ec2Adapter.Call("DescribeInstanceInformation", () => ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest
                {
                    Filters = filters,
                    MaxResults = ISsmPort.PingPageSize,
                    NextToken = next,
                }, cancellationToken));
                foreach (var info in response.InstanceInformationList ?? [])
                {
                    if (info.InstanceId is { } id && info.PingStatus?.Value is { } ping)
                    {
                        result[id] = ping;
                    }
                }
                next = response.NextToken;
            }
            while (!string.IsNullOrEmpty(next));
        }
        return result;
    }

    public Task<string> SendCommandAsync(string documentName, IReadOnlyList<string> instanceIds, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken cancellationToken) =>
        SendCommandAsync(documentName, instanceIds, parameters, comment, null, null, cancellationToken);

    /// <summary>SendCommand that also writes the full output under s3://<paramref name="outputBucket"/>/<paramref name="outputPrefix"/> (the inventory's outputs over 24,000 characters).</summary>
    public async Task<string> SendCommandAsync(string documentName, IReadOnlyList<string> instanceIds, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment,
        string? outputBucket, string? outputPrefix, CancellationToken cancellationToken)
    {
        var response = await Ec2Adapter.Call("SendCommand", () => ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = documentName,
            InstanceIds = instanceIds.ToList(),
            Parameters = parameters.ToDictionary(p => p.Key, p => p.Value.ToList()),
            Comment = comment,
            OutputS3BucketName = outputBucket,
            OutputS3KeyPrefix = outputPrefix,
        }, cancellationToken));
        return response.Command?.CommandId ?? throw new AwsCallException("SendCommand", "NoCommandId", "SSM accepted the command but returned no command id");
    }

    public Task<IReadOnlyList<RecentInvocation>> ListInvocationsAsync(string commandId, CancellationToken cancellationToken) =>
        ListAsync(new ListCommandInvocationsRequest { CommandId = commandId }, null, DateTimeOffset.MinValue, cancellationToken);

    public Task<IReadOnlyList<RecentInvocation>> ListRecentInvocationsAsync(string documentName, DateTimeOffset invokedAfter, CancellationToken cancellationToken) =>
        ListAsync(new ListCommandInvocationsRequest
        {
            Filters =
            [
                new CommandFilter { Key = CommandFilterKey.DocumentName, Value = documentName },
                new CommandFilter { Key = CommandFilterKey.InvokedAfter, Value = invokedAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) },
            ],
        }, documentName, invokedAfter, cancellationToken);

    /// <summary>
    /// Every page of one listing, with Details: the finished invocations' outputs come in the same
    /// pages (at most 50 a page either way), so a small output needs no GetCommandInvocation.
    /// </summary>
    private async Task<IReadOnlyList<RecentInvocation>> ListAsync(ListCommandInvocationsRequest request, string? documentName, DateTimeOffset requestedDefault, CancellationToken cancellationToken)
    {
        var result = new List<RecentInvocation>();
        request.Details = true;
        do
        {
            var response = await Ec2Adapter.Call("ListCommandInvocations", () => ssm.ListCommandInvocationsAsync(request, cancellationToken));
            foreach (var invocation in response.CommandInvocations ?? [])
            {
                if (invocation.CommandId is { } commandId && invocation.InstanceId is { } instanceId && invocation.Status?.Value is { } status
                    && (documentName is null || invocation.DocumentName is null || invocation.DocumentName == documentName))
                {
                    var requested = invocation.RequestedDateTime is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : requestedDefault;
                    result.Add(new RecentInvocation(commandId, instanceId, status, requested, invocation.Comment, ListedResult.Whole(invocation, status)));
                }
            }
            request.NextToken = response.NextToken;
        }
        while (!string.IsNullOrEmpty(request.NextToken));
        return result;
    }

    public async Task<CommandInvocation?> GetCommandInvocationAsync(string commandId, string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            var r = await ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = commandId, InstanceId = instanceId }, cancellationToken);
            return new CommandInvocation(r.Status?.Value ?? "Pending", r.ResponseCode, r.StandardOutputContent ?? "", r.StandardErrorContent ?? "");
        }
        catch (InvocationDoesNotExistException)
        {
            // SSM takes a moment to know a just-sent command's invocations.
            return null;
        }
        catch (Amazon.Runtime.AmazonServiceException e)
        {
            throw AwsErrors.ToPortError("GetCommandInvocation", e);
        }
    }
}
