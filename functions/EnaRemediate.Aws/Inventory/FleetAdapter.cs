using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Readiness;
using Filter = Amazon.EC2.Model.Filter;

namespace EnaRemediate.Aws.Inventory;

/// <summary><see cref="IFleetPort"/> on the AWS SDK v4.</summary>
public sealed class FleetAdapter(IAmazonEC2 ec2, IAmazonSimpleSystemsManagement ssm) : IFleetPort
{
    public async Task<IReadOnlyList<Ec2Instance>> FindInstancesAsync(IReadOnlyList<TagFilter> tags, CancellationToken cancellationToken)
    {
        var filters = tags.Select(t => t.Value is null ? new Filter("tag-key", [t.Key]) : new Filter($"tag:{t.Key}", [t.Value])).ToList();
        filters.Add(new Filter("instance-state-name", ["pending", "running", "stopping", "stopped"]));
        var found = new List<Ec2Instance>();
        string? next = null;
        do
        {
            var page = await Ec2Adapter.Call("DescribeInstances", () => ec2.DescribeInstancesAsync(
                new DescribeInstancesRequest { Filters = filters, MaxResults = 1000, NextToken = next }, cancellationToken));
            found.AddRange((page.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(Ec2Adapter.ToInstance));
            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (next is not null);
        return found;
    }

    /// <summary>The engine's own listing (DocumentName and InvokedAfter filters, every page): one implementation for both.</summary>
    public Task<IReadOnlyList<RecentInvocation>> ListRecentInvocationsAsync(string documentName, DateTimeOffset since, CancellationToken cancellationToken) =>
        new SsmAdapter(ssm).ListRecentInvocationsAsync(documentName, since, cancellationToken);
}
