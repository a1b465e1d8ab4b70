using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Facts;

/// <summary>
/// Gathers the facts for a batch in as few calls as EC2 allows: one DescribeInstances per 1,000
/// ids (only for the instances whose description is wanted), one DescribeInstanceTypes for the
/// distinct types (cached: a type's EnaSupport never changes), one DescribeInstanceStatus per
/// 1,000 ids (for the instances whose health is wanted, and the state of those whose step needs
/// only the state) and DescribeInstanceInformation for the running ones whose health is wanted
/// (only for the Online agents among those whose step needs no more than that);
/// and, for described instances tagged as Auto Scaling members, DescribeAutoScalingInstances (50 ids a call).
/// </summary>
public sealed class FactsGatherer(IEc2Port ec2, ISsmPort ssm, IAutoScalingPort? autoScaling = null)
{
    public const string AutoScalingGroupTag = "aws:autoscaling:groupName";

    private const int DescribeBatch = 1000;

    private readonly Dictionary<string, string> _typeEnaSupport = new(StringComparer.Ordinal);

    /// <param name="healthOf">the instances whose status checks and SSM ping are wanted; null: all of them.</param>
    /// <param name="pingWhenChecksOk">of those, the ones whose ping is wanted only when both their checks are ok (the others' is left unread: <see cref="InstanceFacts.PingDeferred"/>).</param>
    /// <param name="pingOnlineOnly">
    /// of those, the ones whose step needs to know only whether the agent is Online: SSM is asked
    /// for the Online ones among them (<see cref="ISsmPort.DescribeOnlineAsync"/>), a short answer
    /// where the whole status is a page entry for every registered agent; one that is not Online has
    /// no ping (<see cref="InstanceFacts.PingOnlineOnly"/>).
    /// </param>
    /// <param name="describe">
    /// the instances whose EC2 description is wanted; null: all of them. The others get only their
    /// state, from DescribeInstanceStatus (a few hundred bytes an instance instead of a few
    /// kilobytes); one whose state that call does not give is described after all.
    /// </param>
    public async Task<IReadOnlyDictionary<string, InstanceFacts>> GatherAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken, IReadOnlySet<string>? healthOf = null, IReadOnlySet<string>? describe = null, IReadOnlySet<string>? pingWhenChecksOk = null, IReadOnlySet<string>? pingOnlineOnly = null)
    {
        var ids = instanceIds.Distinct(StringComparer.Ordinal).ToList();
        var instances = new Dictionary<string, Ec2Instance>(StringComparer.Ordinal);
        await DescribeAsync(ids.Where(id => describe is null || describe.Contains(id)), instances, cancellationToken);
        var stateOnly = ids.Where(id => !instances.ContainsKey(id) && describe is not null && !describe.Contains(id)).ToHashSet(StringComparer.Ordinal);
        var statuses = await StatusesAsync(ids, instances, stateOnly, healthOf, cancellationToken);
        var observedState = stateOnly.Where(id => statuses.TryGetValue(id, out var s) && s.State is not null).ToHashSet(StringComparer.Ordinal);
        // A state the status answer did not give (a source that omits it) is read from the description instead.
        await DescribeAsync(stateOnly.Where(id => !observedState.Contains(id)), instances, cancellationToken);
        var missingTypes = instances.Values.Select(i => i.InstanceType).OfType<string>()
            .Where(t => !_typeEnaSupport.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToList();
        if (missingTypes.Count > 0)
        {
            foreach (var (type, support) in await ec2.DescribeTypeEnaSupportAsync(missingTypes, cancellationToken))
            {
                _typeEnaSupport[type] = support;
            }
        }
        string? StateOf(string id) => instances.TryGetValue(id, out var i) ? i.State : observedState.Contains(id) ? statuses[id].State : null;
        bool Deferred(string id) => pingWhenChecksOk?.Contains(id) == true && statuses.GetValueOrDefault(id) is not { InstanceStatus: "ok", SystemStatus: "ok" };
        var running = ids.Where(id => StateOf(id) == "running" && (healthOf is null || healthOf.Contains(id))).ToList();
        var deferred = running.Where(Deferred).ToHashSet(StringComparer.Ordinal);
        running.RemoveAll(deferred.Contains);
        var (exact, onlineOnly) = SplitPingReads(running, pingOnlineOnly);
        var pings = exact.Count == 0
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(await ssm.DescribePingStatusAsync(exact, cancellationToken), StringComparer.Ordinal);
        // A set: every id's facts below ask whether it was read this way.
        var readOnlineOnly = onlineOnly.ToHashSet(StringComparer.Ordinal);
        if (onlineOnly.Count > 0)
        {
            foreach (var id in await ssm.DescribeOnlineAsync(onlineOnly, cancellationToken))
            {
                pings[id] = "Online";
            }
        }

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
                ObservedState = instance is null && observedState.Contains(id) ? statuses[id].State : null,
                PingDeferred = deferred.Contains(id),
                PingOnlineOnly = readOnlineOnly.Contains(id),
                AutoScaling = members.GetValueOrDefault(id),
                AutoScalingChecked = autoScaling is not null && tagged.Contains(id),
            };
        }, StringComparer.Ordinal);
    }

    /// <summary>
    /// The running instances whose whole ping is read, and those asked only whether they are
    /// Online. The whole read's last page has room left (a page holds 50 agents): online-only ids
    /// fill it for nothing instead of costing a call of their own.
    /// </summary>
    private static (List<string> Exact, List<string> OnlineOnly) SplitPingReads(List<string> running, IReadOnlySet<string>? pingOnlineOnly)
    {
        var exact = running.Where(id => pingOnlineOnly?.Contains(id) != true).ToList();
        var onlineOnly = running.Where(id => pingOnlineOnly?.Contains(id) == true).ToList();
        var room = exact.Count % ISsmPort.PingPageSize == 0 ? 0 : ISsmPort.PingPageSize - exact.Count % ISsmPort.PingPageSize;
        exact.AddRange(onlineOnly.Take(room));
        return (exact, onlineOnly.Skip(room).ToList());
    }

    private async Task DescribeAsync(IEnumerable<string> ids, Dictionary<string, Ec2Instance> instances, CancellationToken cancellationToken)
    {
        foreach (var chunk in ids.Chunk(DescribeBatch))
        {
            foreach (var instance in await ec2.DescribeInstancesAsync(chunk, cancellationToken))
            {
                instances[instance.InstanceId] = instance;
            }
        }
    }

    /// <summary>
    /// The status answers for the described instances whose health is wanted and for the
    /// state-only ones. DescribeInstanceStatus refuses a whole call for one id EC2 does not know
    /// (the described ones are known, the state-only ones may not be): then the state-only ids are
    /// described (which drops the unknown) and the status read again for the known ones.
    /// </summary>
    private async Task<Dictionary<string, Ec2StatusChecks>> StatusesAsync(List<string> ids, Dictionary<string, Ec2Instance> instances, HashSet<string> stateOnly, IReadOnlySet<string>? healthOf, CancellationToken cancellationToken)
    {
        var wanted = ids.Where(id => (instances.ContainsKey(id) && (healthOf is null || healthOf.Contains(id))) || stateOnly.Contains(id)).ToList();
        var statuses = new Dictionary<string, Ec2StatusChecks>(StringComparer.Ordinal);
        try
        {
            await ReadStatusesAsync(wanted, statuses, cancellationToken);
        }
        catch (AwsCallException e) when (stateOnly.Count > 0 && e.ErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed")
        {
            await DescribeAsync(stateOnly, instances, cancellationToken);
            stateOnly.Clear();
            statuses.Clear();
            await ReadStatusesAsync(wanted.Where(id => instances.ContainsKey(id) && (healthOf is null || healthOf.Contains(id))).ToList(), statuses, cancellationToken);
        }
        return statuses;
    }

    private async Task ReadStatusesAsync(List<string> ids, Dictionary<string, Ec2StatusChecks> statuses, CancellationToken cancellationToken)
    {
        foreach (var chunk in ids.Chunk(DescribeBatch))
        {
            foreach (var (id, status) in await ec2.DescribeInstanceStatusAsync(chunk, cancellationToken))
            {
                statuses[id] = status;
            }
        }
    }
}
