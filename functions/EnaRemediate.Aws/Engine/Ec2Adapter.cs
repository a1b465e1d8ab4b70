using System.Text.RegularExpressions;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Aws.Engine;

/// <summary>
/// <see cref="IEc2Port"/> on the AWS SDK v4. Remembers the SDK's v4 habits: collections are null
/// when empty, value types are nullable, and a permitted DryRun is an exception (DryRunOperation).
/// </summary>
public sealed partial class Ec2Adapter(IAmazonEC2 ec2) : IEc2Port
{
    private const int DescribeInstanceTypesMax = 100;

    [GeneratedRegex(@"i-[0-9a-f]{8,17}")]
    private static partial Regex InstanceIdInMessage();

    public async Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        // DescribeInstances fails the whole call when one id does not exist; drop the ids EC2
        // names in that error and ask again, so one unknown id cannot hide the others.
        var remaining = instanceIds.ToList();
        for (var attempt = 0; remaining.Count > 0 && attempt < 5; attempt++)
        {
            try
            {
                var response = await Call("DescribeInstances", () => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = remaining }, cancellationToken));
                return (response.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(ToInstance).ToList();
            }
            catch (AwsCallException e) when (e.ErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed")
            {
                var unknown = InstanceIdInMessage().Matches(e.Message).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
                if (unknown.Count == 0 || !remaining.Any(unknown.Contains))
                {
                    return await DescribeOneByOneAsync(remaining, cancellationToken);
                }
                remaining = remaining.Where(id => !unknown.Contains(id)).ToList();
            }
        }
        return remaining.Count == 0 ? [] : await DescribeOneByOneAsync(remaining, cancellationToken);
    }

    private async Task<IReadOnlyList<Ec2Instance>> DescribeOneByOneAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var found = new List<Ec2Instance>();
        foreach (var id in instanceIds)
        {
            try
            {
                var response = await Call("DescribeInstances", () => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] }, cancellationToken));
                found.AddRange((response.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(ToInstance));
            }
            catch (AwsCallException e) when (e.ErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed")
            {
                // Unknown to EC2: absent from the answer, which is how the port reports it.
            }
        }
        return found;
    }

    public async Task<IReadOnlyDictionary<string, string>> DescribeTypeEnaSupportAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in instanceTypes.Chunk(DescribeInstanceTypesMax))
        {
            string? next = null;
            do
            {
                var response = await Call("DescribeInstanceTypes", () => ec2.DescribeInstanceTypesAsync(
                    new DescribeInstanceTypesRequest { InstanceTypes = chunk.ToList(), NextToken = next }, cancellationToken));
                foreach (var type in response.InstanceTypes ?? [])
                {
                    if (type.InstanceType?.Value is { } name && type.NetworkInfo?.EnaSupport?.Value is { } support)
                    {
                        result[name] = support;
                    }
                }
                next = response.NextToken;
            }
            while (!string.IsNullOrEmpty(next));
        }
        return result;
    }

    public async Task<IReadOnlyDictionary<string, Ec2StatusChecks>> DescribeInstanceStatusAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, Ec2StatusChecks>(StringComparer.Ordinal);
        string? next = null;
        do
        {
            var response = await Call("DescribeInstanceStatus", () => ec2.DescribeInstanceStatusAsync(
                new DescribeInstanceStatusRequest { InstanceIds = instanceIds.ToList(), IncludeAllInstances = true, NextToken = next }, cancellationToken));
            foreach (var status in response.InstanceStatuses ?? [])
            {
                result[status.InstanceId] = new Ec2StatusChecks(
                    status.SystemStatus?.Status?.Value ?? "not-applicable",
                    status.Status?.Status?.Value ?? "not-applicable")
                {
                    State = status.InstanceState?.Name?.Value,
                };
            }
            next = response.NextToken;
        }
        while (!string.IsNullOrEmpty(next));
        return result;
    }

    public Task StopInstancesAsync(IReadOnlyList<string> instanceIds, bool force, bool dryRun, CancellationToken cancellationToken) =>
        Mutate("StopInstances", dryRun, () => ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = instanceIds.ToList(), Force = force, DryRun = dryRun }, cancellationToken));

    public Task StartInstancesAsync(IReadOnlyList<string> instanceIds, bool dryRun, CancellationToken cancellationToken) =>
        Mutate("StartInstances", dryRun, () => ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = instanceIds.ToList(), DryRun = dryRun }, cancellationToken));

    public Task SetEnaSupportAsync(string instanceId, bool enabled, bool dryRun, CancellationToken cancellationToken) =>
        Mutate("ModifyInstanceAttribute", dryRun, () => ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = instanceId, EnaSupport = enabled, DryRun = dryRun }, cancellationToken));

    private static async Task Mutate<T>(string action, bool dryRun, Func<Task<T>> call)
    {
        try
        {
            await Call(action, call);
        }
        catch (AwsCallException e) when (dryRun && e.ErrorCode == "DryRunOperation")
        {
            // EC2's way of saying "this would have succeeded".
        }
    }

    internal static Ec2Instance ToInstance(Instance i) => new()
    {
        InstanceId = i.InstanceId,
        State = i.State?.Name?.Value ?? "unknown",
        InstanceType = i.InstanceType?.Value,
        RootDeviceType = i.RootDeviceType?.Value,
        VirtualizationType = i.VirtualizationType?.Value,
        EnaSupport = i.EnaSupport ?? false,
        InstanceLifecycle = i.InstanceLifecycle?.Value,
        ImageId = i.ImageId,
        Tags = (i.Tags ?? []).Where(t => t.Key is not null).GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal),
    };

    internal static async Task<T> Call<T>(string action, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException e)
        {
            throw AwsErrors.ToPortError(action, e);
        }
    }
}
