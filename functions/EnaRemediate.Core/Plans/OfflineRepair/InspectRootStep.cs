using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// inspect-root: observes the root volume (id, device, DeleteOnTermination, zone, encryption)
/// and checks, before anything is changed, what offline repair needs: an identifiable EBS root, no
/// Marketplace code, and a rescue AMI for the architecture. Changes nothing. A fleet's first look
/// inspects all its roots in one DescribeInstances and one DescribeVolumes.
/// </summary>
public sealed class InspectRootStep : IPlanStep
{
    private readonly INitroPort _nitro;
    private readonly PrimedReads<RootView> _roots;

    public InspectRootStep(INitroPort nitro)
    {
        _nitro = nitro;
        _roots = new PrimedReads<RootView>("ec2:DescribeVolumes", ReadManyAsync);
    }

    public string Name => "inspect-root";
    public IReadOnlyList<string> Permissions { get; } = ["ec2:DescribeInstances", "ec2:DescribeVolumes"];
    public IReadOnlySet<string> ValidOriginStates => AmiStep.AnyInstanceState;
    public EngineAction? PlannedAction(EngineOptions options) => null;

    public StepDecision Decide(StepContext context)
    {
        if (context.Memo(OfflineMemo.RootVolume) is not { } volume)
        {
            return context.Memo("root.unidentified") is { } why
                ? new StepDecision.Finish(Outcomes.Refused, $"{why}; nothing was changed")
                : new StepDecision.Act(Inspect(context.Record.InstanceId), "inspecting the root volume");
        }
        if (context.Memo("root.marketplace") is { Length: > 0 } codes)
        {
            return new StepDecision.Finish(Outcomes.Refused, $"the root carries the AWS Marketplace product code {codes}: it cannot be attached to a rescue instance; nothing was changed");
        }
        var architecture = context.Memo(OfflineMemo.Architecture) ?? "x86_64";
        if (!context.Options.Nitro.RescueImages.ContainsKey(architecture))
        {
            return new StepDecision.Finish(Outcomes.Refused, $"no rescue AMI is configured for {architecture}; nothing was changed");
        }
        return new StepDecision.Next($"root {volume} at {context.Memo(OfflineMemo.RootDevice)} in {context.Memo(OfflineMemo.Zone)}" +
            (context.Memo(OfflineMemo.Encrypted) == "true" ? " (encrypted: the caller's KMS grants decide the attach)" : ""));
    }

    /// <summary>An instance and its root volume as one inspection saw them (the volume null: none found).</summary>
    private sealed record RootView(NitroInstance? Instance, VolumeState? Volume);

    /// <summary>The instances' roots in two calls; a root EC2 does not know refuses the volume call, and then each reads alone.</summary>
    private async Task<IReadOnlyDictionary<string, RootView>> ReadManyAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        var instances = await _nitro.DescribeNitroInstancesAsync(instanceIds.ToList(), cancellationToken);
        var rootIds = instances.Values.Select(i => i.RootVolumeId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var volumes = rootIds.Count == 0 ? new Dictionary<string, VolumeState>() : await _nitro.DescribeVolumesAsync(rootIds, cancellationToken);
        return instances.ToDictionary(i => i.Key, i => new RootView(i.Value, i.Value.RootVolumeId is { } root ? volumes.GetValueOrDefault(root) : null), StringComparer.Ordinal);
    }

    private async Task<RootView?> ReadOneAsync(string instanceId, CancellationToken cancellationToken)
    {
        var instance = (await _nitro.DescribeNitroInstancesAsync([instanceId], cancellationToken)).GetValueOrDefault(instanceId);
        return new RootView(instance, instance?.RootVolumeId is { } rootId ? await _nitro.DescribeVolumeAsync(rootId, cancellationToken) : null);
    }

    private PlanCall Inspect(string instanceId) => new("ec2:DescribeVolumes", "inspect the root volume", async ct =>
    {
        var (instance, volume) = await _roots.TakeOrReadAsync(instanceId, c => ReadOneAsync(instanceId, c), ct) ?? new RootView(null, null);
        if (instance?.RootVolumeId is not { } rootId || volume is null)
        {
            return ImmutableDictionary<string, string>.Empty.Add("root.unidentified", $"EC2 reports no EBS volume at the root device {instance?.RootDeviceName ?? "(none)"}");
        }
        return ImmutableDictionary<string, string>.Empty
            .Add(OfflineMemo.RootVolume, rootId)
            .Add(OfflineMemo.RootDevice, instance.RootDeviceName ?? "/dev/xvda")
            .Add(OfflineMemo.RootDeleteOnTermination, instance.RootDeleteOnTermination ? "true" : "false")
            .Add(OfflineMemo.Zone, volume.AvailabilityZone)
            .Add(OfflineMemo.Architecture, instance.Architecture ?? "x86_64")
            .Add(OfflineMemo.Subnet, instance.SubnetId ?? "")
            .Add(OfflineMemo.VolumeType, volume.VolumeType ?? "gp3")
            .Add(OfflineMemo.Encrypted, volume.Encrypted ? "true" : "false")
            .Add("root.marketplace", string.Join(",", instance.MarketplaceCodes));
    })
    { Reads = new BatchedRead(_roots, instanceId) };
}
