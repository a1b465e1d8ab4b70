using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// The account's rescue instances as this engine last saw them, shared by the records of one look:
/// described at most once per <see cref="Fresh"/> of the engine's clock, their SSM pings asked in one
/// call, and kept current in between with this engine's own claims, launches, releases and
/// terminations. So a fleet of repairs waiting for their rescues costs one DescribeInstances a look
/// instead of one each (500 repairs polling their rescue every 10 s would be 50 a second against
/// EC2's refill of 20). Another engine's changes show at the next describe, as they did before: a
/// claim was never atomic across engines (a device claimed twice fails its attach, and that repair
/// rolls back untouched).
/// </summary>
internal sealed class RescueView(INitroPort nitro, ISsmPort ssm, TimeProvider time)
{
    /// <summary>How long a description serves: the records of one look (plan-owned calls run one after another).</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);

    private List<RescueInstance>? _rescues;
    private DateTimeOffset _describedAt;
    private IReadOnlyDictionary<string, string>? _pings;
    private HashSet<string> _pingAsked = new(StringComparer.Ordinal);
    private DateTimeOffset _pingedAt;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The rescues as last seen, without a call (empty before the first describe).</summary>
    public IReadOnlyList<RescueInstance> LastSeen => _rescues is null ? [] : [.. _rescues];

    public async Task<IReadOnlyList<RescueInstance>> RescuesAsync(string stackName, CancellationToken cancellationToken) =>
        _rescues is null || Now - _describedAt >= Fresh ? await RefreshAsync(stackName, cancellationToken) : [.. _rescues];

    /// <summary>Describes the rescues now, whatever the view's age (before a destructive call), and keeps the answer as the view.</summary>
    public async Task<IReadOnlyList<RescueInstance>> RefreshAsync(string stackName, CancellationToken cancellationToken)
    {
        _rescues = [.. await nitro.DescribeRescueInstancesAsync(stackName, cancellationToken)];
        _describedAt = Now;
        // A copy: the caller may claim while it walks the list.
        return [.. _rescues];
    }

    /// <summary>The SSM ping of a running rescue; every running rescue is asked about at once.</summary>
    public async Task<string?> PingAsync(string stackName, string rescueId, CancellationToken cancellationToken)
    {
        // An agent not yet registered has no answer: that it was asked is what is kept.
        if (_pings is null || Now - _pingedAt >= Fresh || !_pingAsked.Contains(rescueId))
        {
            var running = (await RescuesAsync(stackName, cancellationToken)).Where(r => r.State == "running").Select(r => r.InstanceId)
                .Append(rescueId).ToHashSet(StringComparer.Ordinal);
            _pings = await ssm.DescribePingStatusAsync([.. running], cancellationToken);
            _pingAsked = running;
            _pingedAt = Now;
        }
        return _pings.GetValueOrDefault(rescueId);
    }

    /// <summary>A launch (or the earlier launch a repeated client token returned) with the claim it was launched with.</summary>
    public void Launched(RescueInstance rescue)
    {
        if (_rescues is null)
        {
            return;
        }
        if (_rescues.Exists(r => r.InstanceId == rescue.InstanceId))
        {
            foreach (var (key, value) in rescue.Tags)
            {
                Tagged(rescue.InstanceId, key, value);
            }
            return;
        }
        _rescues.Add(rescue);
    }

    public void Tagged(string rescueId, string key, string value) => Change(rescueId, r => r with { Tags = new Dictionary<string, string>(r.Tags, StringComparer.Ordinal) { [key] = value } });

    public void Untagged(string rescueId, string key) => Change(rescueId, r => r with { Tags = r.Tags.Where(t => t.Key != key).ToDictionary(StringComparer.Ordinal) });

    public void Terminated(string rescueId) => Change(rescueId, r => r with { State = "shutting-down" });

    private void Change(string rescueId, Func<RescueInstance, RescueInstance> change)
    {
        if (_rescues?.FindIndex(r => r.InstanceId == rescueId) is { } at and >= 0)
        {
            _rescues[at] = change(_rescues[at]);
        }
    }
}
