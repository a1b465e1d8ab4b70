using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Facts;

/// <summary>
/// Gathers the facts for a batch in as few calls as EC2 allows: one DescribeInstances per 1,000
/// ids, one DescribeInstanceTypes for the distinct types (cached: a type's EnaSupport never
/// changes), one DescribeInstanceStatus per 1,000 ids and DescribeInstanceInformation for the
/// running ones (only for the instances whose health is wanted); and,
/// for instances tagged as Auto Scaling members, DescribeAutoScalingInstances (50 ids a call).
/// </summary>
public sealed class FactsGatherer(IEc2Port ec2, ISsmPort ssm, IAutoScalingPort? autoScaling = null)
{
    public const string AutoScalingGroupTag = "aws:autoscaling:groupName";

    private const int DescribeBatch = 1000;
    private readonly Dictionary<string, string> _typeEnaSupport = new(StringComparer.Ordinal);

    /// <param name="healthOf">the instances whose status checks and SSM ping are wanted; null: all of them.</param>
    public async Task<IReadOnlyDictionary<string, InstanceFacts>> GatherAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken, IReadOnlySet<string>? healthOf = null)
    {
        var ids = instanceIds.Distinct(StringComparer.Ordinal).ToList();
        var instances = new Dictionary<string, Ec2Instance>(StringComparer.Ordinal);
        var statuses = new Dictionary<string, Ec2StatusChecks>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(DescribeBatch))
        {
            foreach (var instance in await ec2.DescribeInstancesAsync(chunk, cancellationToken))
            {
                instances[instance.InstanceId] = instance;
            }
        }
        var known = instances.Keys.Where(id => healthOf is null || healthOf.Contains(id)).ToList();
        foreach (var chunk in known.Chunk(DescribeBatch))
        {
            foreach (var (id, status) in await ec2.DescribeInstanceStatusAsync(chunk, cancellationToken))
            {
                statuses[id] = status;
            }
        }
        var missingTypes = instances.Values.Select(i => i.InstanceType).OfType<string>()
            .Where(t => !_typeEnaSupport.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToList();
        if (missingTypes.Count > 0)
        {
            foreach (var (type, support) in await ec2.DescribeTypeEnaSupportAsync(missingTypes, cancellationToken))
            {
                _typeEnaSupport[type] = support;
            }
        }
        var running = instances.Values.Where(i => i.State == "running" && (healthOf is null || healthOf.Contains(i.InstanceId))).Select(i => i.InstanceId).ToList();
        var pings = running.Count == 0
            ? new Dictionary<string, string>()
            : await ssm.DescribePingStatusAsync(running, cancellationToken);

        // Only tagged instances are asked about: EC2 tags every member, and the tag alone cannot tell Standby from InService.
        var tagged = instances.Values.Where(i => i.Tags.ContainsKey(AutoScalingGroupTag)).Select(i => i.InstanceId).ToList();
        var members = autoScaling is null || tagged.Count == 0
            ? new Dictionary<string, AutoScalingMembership>()
            : await autoScaling.DescribeMembershipAsync(tagged, cancellationToken);

        return ids.ToDictionary(id => id, id =>
        {
            instances.TryGetValue(id, out var instance);
            return new InstanceFacts(
                id,
                instance,
                instance?.InstanceType is { } type && _typeEnaSupport.TryGetValue(type, out var support) ? support : null,
                statuses.GetValueOrDefault(id),
                pings.GetValueOrDefault(id))
            {
                AutoScaling = members.GetValueOrDefault(id),
                AutoScalingChecked = autoScaling is not null && tagged.Contains(id),
            };
        }, StringComparer.Ordinal);
    }
}
