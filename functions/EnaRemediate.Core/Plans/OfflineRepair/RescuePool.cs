using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// The rescue instances of the account: one per Availability Zone and architecture serves up to
/// <see cref="NitroOptions.RescueDevices"/> volumes at once. A record claims a device with a tag
/// on the rescue before it stops anything and releases it at the end; the last release
/// terminates the rescue. At most <see cref="NitroOptions.MaxConcurrentRescues"/> run at once.
/// The plan-owned calls of one Advance run one after another, so claims in one batch never race;
/// they share one <see cref="RescueView"/> of the account's rescues.
/// </summary>
public sealed class RescuePool(INitroPort nitro, ISsmPort ssm, TimeProvider time)
{
    private readonly RescueView _view = new(nitro, ssm, time);

    /// <summary>The launch this look's decisions counted on, per zone and architecture: when, and how many claims it will serve.</summary>
    private readonly Dictionary<(string Zone, string Architecture), (DateTimeOffset At, int Claims)> _launching = [];

    public sealed record Claim(string RescueId, string Device, bool Launched);

    /// <summary>
    /// A claim, or why there is none yet (every slot taken, or EC2 would not launch another); or,
    /// <see cref="LaunchNeeded"/>, that only a launch would give one and the call was not paced as one.
    /// </summary>
    public sealed record Acquisition(Claim? Claim, string WaitingFor, bool LaunchNeeded = false);

    /// <summary>
    /// RunInstances refusals that a free rescue cures: the account's vCPU or instance quota, or no
    /// capacity for the rescue type in the zone right now. A repair waits for them like for a full
    /// pool (nothing is changed before the claim) instead of failing.
    /// </summary>
    private static readonly HashSet<string> LaunchRefusals = new(StringComparer.Ordinal)
    {
        "VcpuLimitExceeded", "InstanceLimitExceeded", "InsufficientInstanceCapacity",
    };

    public static string ClaimKey(string instanceId) => RescueTags.ClaimPrefix + instanceId;

    /// <summary>
    /// The record's claim (its own, or a new one on a rescue with a free device, launching one if
    /// allowed and <paramref name="mayLaunch"/>: the call was paced as a RunInstances), or why it must wait.
    /// </summary>
    public async Task<Acquisition> AcquireAsync(string instanceId, string zone, string architecture, string? subnet, string clientToken, NitroOptions options, bool mayLaunch, CancellationToken cancellationToken)
    {
        var rescues = await _view.RescuesAsync(options.StackName, cancellationToken);
        var key = ClaimKey(instanceId);
        if (rescues.FirstOrDefault(r => r.Tags.ContainsKey(key) && r.State is "pending" or "running") is { } mine)
        {
            return Claimed(new Claim(mine.InstanceId, mine.Tags[key], false));
        }
        foreach (var rescue in rescues.Where(r => r.State is "pending" or "running" && r.AvailabilityZone == zone && r.Architecture == architecture))
        {
            if (FreeDevice(rescue, options) is { } device)
            {
                await nitro.TagRescueAsync(rescue.InstanceId, new Dictionary<string, string> { [key] = device }, cancellationToken);
                _view.Tagged(rescue.InstanceId, key, device);
                return Claimed(new Claim(rescue.InstanceId, device, false));
            }
        }
        if (rescues.Count(r => r.State is "pending" or "running") >= options.MaxConcurrentRescues)
        {
            return new Acquisition(null, $"{options.MaxConcurrentRescues} rescue instances already run");
        }
        if (!mayLaunch)
        {
            // The rescues there filled up since this record decided: it asks again, paced as the launch it needs.
            return new Acquisition(null, $"every rescue in {zone} ({architecture}) is full: launching another", LaunchNeeded: true);
        }
        string launched;
        try
        {
            launched = await Launch(zone, architecture, subnet, clientToken, key, options, cancellationToken);
            _view.Launched(new RescueInstance(launched, "pending", zone, architecture, new Dictionary<string, string>(StringComparer.Ordinal) { [key] = options.RescueDevices[0] }, [], null));
        }
        catch (AwsCallException e) when (LaunchRefusals.Contains(e.ErrorCode))
        {
            return new Acquisition(null, $"EC2 refused a rescue launch ({e.ErrorCode}: {e.Message})");
        }
        return Claimed(new Claim(launched, options.RescueDevices[0], true));
    }

    private static Acquisition Claimed(Claim claim) => new(claim, "");

    private Task<string> Launch(string zone, string architecture, string? subnet, string clientToken, string key, NitroOptions options, CancellationToken cancellationToken) =>
        nitro.RunRescueInstanceAsync(new RescueLaunch
        {
            ImageId = options.RescueImages[architecture],
            InstanceType = options.RescueInstanceTypes.GetValueOrDefault(architecture) ?? "c5.large",
            AvailabilityZone = zone,
            SubnetId = options.RescueSubnetId ?? subnet,
            IamInstanceProfileArn = options.RescueInstanceProfileArn,
            ClientToken = clientToken,
            Tags = new Dictionary<string, string>
            {
                [RescueTags.LaunchedBy] = options.StackName,
                ["Name"] = $"enaremediate-rescue-{zone}-{architecture}",
                [key] = options.RescueDevices[0],
            },
        }, cancellationToken);

    /// <summary>
    /// Drops the record's claim; terminates the rescue when no claim and no other volume remain.
    /// Without a rescue id (a launch whose answer was lost) the rescue is found by the record's claim tag.
    /// Returns what it did.
    /// </summary>
    public async Task<string> ReleaseAsync(string instanceId, string? rescueId, NitroOptions options, CancellationToken cancellationToken)
    {
        var key = ClaimKey(instanceId);
        // Only this stack's rescues are candidates: an instance another stack (or nobody) launched is never terminated.
        var rescues = await _view.RescuesAsync(options.StackName, cancellationToken);
        var rescue = rescueId is null ? rescues.FirstOrDefault(r => r.Tags.ContainsKey(key)) : rescues.FirstOrDefault(r => r.InstanceId == rescueId);
        if (rescue is null || rescue.State is "shutting-down" or "terminated")
        {
            return rescueId is null ? "no rescue instance was claimed" : $"rescue {rescueId} already gone";
        }
        rescueId = rescue.InstanceId;
        if (rescue.Tags.ContainsKey(key))
        {
            await nitro.UntagRescueAsync(rescueId, [key], cancellationToken);
            _view.Untagged(rescueId, key);
        }
        if (Serving(rescue, key) is var others and > 0)
        {
            return $"rescue {rescueId} released (still serving {others} other repair(s))";
        }
        // Terminating is the one destructive call: it is decided on a fresh description, not on the look's shared view.
        var current = (await _view.RefreshAsync(options.StackName, cancellationToken)).FirstOrDefault(r => r.InstanceId == rescueId);
        if (current is null || current.State is "shutting-down" or "terminated")
        {
            return $"rescue {rescueId} already gone";
        }
        if (Serving(current, key) is var serving and > 0)
        {
            return $"rescue {rescueId} released (still serving {serving} other repair(s))";
        }
        await nitro.TerminateRescueAsync(rescueId, cancellationToken);
        _view.Terminated(rescueId);
        return $"rescue {rescueId} terminated";
    }

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The other repairs a rescue serves: their claims, and any volume still attached besides its root.</summary>
    private static int Serving(RescueInstance rescue, string releasedKey) =>
        rescue.Tags.Keys.Count(k => k.StartsWith(RescueTags.ClaimPrefix, StringComparison.Ordinal) && k != releasedKey)
        + rescue.AttachedDevices.Count(d => d != rescue.RootDeviceName);

    /// <summary>
    /// Whether this record's claim in this zone and architecture would launch a rescue, as far as the
    /// last view says (no call): the acquire is then paced as the RunInstances it will be (EC2 refills
    /// 2 a second). Within one look only the first record of a zone and architecture is, and the next
    /// <see cref="NitroOptions.RescueDevices"/> less one are counted onto the rescue it launches: paced
    /// as claims, they take its devices (at once, or at the next look if they ran before the launch).
    /// </summary>
    public bool WouldLaunch(string zone, string architecture, NitroOptions options)
    {
        if (_view.LastSeen.Any(r => r.State is "pending" or "running" && r.AvailabilityZone == zone && r.Architecture == architecture && FreeDevice(r, options) is not null))
        {
            return false;
        }
        var key = (zone, architecture);
        if (_launching.TryGetValue(key, out var planned) && Now - planned.At < RescueView.Fresh && planned.Claims < options.RescueDevices.Count)
        {
            _launching[key] = planned with { Claims = planned.Claims + 1 };
            return false;
        }
        _launching[key] = (Now, 1);
        return true;
    }

    /// <summary>The rescue as the shared view has it ("gone" when it is not there), and its SSM ping when asked for and running.</summary>
    public async Task<(string State, string? Ping)> LookAsync(string rescueId, bool withPing, NitroOptions options, CancellationToken cancellationToken)
    {
        var found = (await _view.RescuesAsync(options.StackName, cancellationToken)).FirstOrDefault(r => r.InstanceId == rescueId);
        var ping = withPing && found?.State == "running" ? await _view.PingAsync(options.StackName, rescueId, cancellationToken) : null;
        return (found?.State ?? "gone", ping);
    }

    private static string? FreeDevice(RescueInstance rescue, NitroOptions options)
    {
        var taken = rescue.Tags.Where(t => t.Key.StartsWith(RescueTags.ClaimPrefix, StringComparison.Ordinal)).Select(t => t.Value)
            .Concat(rescue.AttachedDevices).ToHashSet(StringComparer.Ordinal);
        return options.RescueDevices.FirstOrDefault(d => !taken.Contains(d));
    }

    public static ImmutableDictionary<string, string> Memo(Claim claim) => ImmutableDictionary<string, string>.Empty
        .Add(OfflineMemo.RescueId, claim.RescueId).Add(OfflineMemo.RescueDevice, claim.Device).Add(OfflineMemo.RescueLaunched, claim.Launched ? "true" : "false");
}
