using System.Collections.Immutable;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.Standby;

/// <summary>EnterStandby (decrementing the desired capacity) or ExitStandby for one member, through the Auto Scaling port.</summary>
public sealed record StandbyAction(IAutoScalingPort AutoScaling, string GroupName, string InstanceId, bool Enter) : PlanOwnedAction
{
    public override string AwsAction => Enter ? "autoscaling:EnterStandby" : "autoscaling:ExitStandby";

    public override async Task<ImmutableDictionary<string, string>?> ExecuteAsync(CancellationToken cancellationToken)
    {
        if (Enter) await AutoScaling.EnterStandbyAsync(GroupName, [InstanceId], cancellationToken);
        else await AutoScaling.ExitStandbyAsync(GroupName, [InstanceId], cancellationToken);
        return null;
    }
}
