using Amazon.EC2;
using Amazon.EC2.Model;
using EnaRemediate.Core;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Aws.Sweep;

/// <summary>
/// The sweep's eyes: running instances whose *instance* status check is impaired (the check a
/// broken ena module fails; system-check failures are EC2 auto-recovery's), narrowed to those
/// carrying the opt-in tag. No per-instance alarm is needed for these.
/// </summary>
public sealed class ImpairedInstanceFinder(IAmazonEC2 ec2, string optInTag)
{
    /// <summary>DescribeInstances accepts this many ids per call.</summary>
    private const int IdsPerDescribe = 1000;

    [AwsAction("ec2:DescribeInstanceStatus")]
    [AwsAction("ec2:DescribeInstances")]
    public async Task<IReadOnlyList<string>> FindAsync(CancellationToken cancellationToken)
    {
        var impaired = new List<string>();
        string? token = null;
        do
        {
            var page = await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest
            {
                Filters = [new Filter("instance-status.status", ["impaired"])],
                MaxResults = 1000,
                NextToken = token,
            }, cancellationToken);
            impaired.AddRange((page.InstanceStatuses ?? []).Select(s => s.InstanceId));
            token = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        } while (token is not null);

        var optedIn = new List<string>();
        foreach (var chunk in impaired.Distinct().Chunk(IdsPerDescribe))
        {
            var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                InstanceIds = [.. chunk],
                Filters = [new Filter($"tag:{optInTag}", [TriageRules.OptInValue])],
            }, cancellationToken);
            optedIn.AddRange((described.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(i => i.InstanceId));
        }
        return optedIn.Order(StringComparer.Ordinal).ToList();
    }
}
