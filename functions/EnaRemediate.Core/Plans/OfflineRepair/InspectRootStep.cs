using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// inspect-root: observes the root volume (id, device, DeleteOnTermination, zone, encryption)
/// and checks, before anything is changed, what offline repair needs: an identifiable EBS root, no
/// Marketplace code, and a rescue AMI for the architecture. Changes nothing.
/// </summary>
public sealed class InspectRootStep(INitroPort nitro) : IPlanStep
{
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

    private PlanCall Inspect(string instanceId) => new("ec2:DescribeVolumes", "inspect the root volume", async ct =>
    {
        var instance = (await nitro.DescribeNitroInstancesAsync([instanceId], ct)).GetValueOrDefault(instanceId);
        if (instance?.RootVolumeId is not { } rootId || await nitro.DescribeVolumeAsync(rootId, ct) is not { } volume)
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
    });
}
