using System.Collections.Immutable;

namespace EnaRemediate.Core.Plans.TypeSwap;

/// <summary>
/// The type change as `plan` and a dry run list it: which way it goes (to the stand-in, or back to
/// the type the instance was found with), so a dry run can ask EC2 about that very call. Only
/// listed, never made: the step decides the real call from the record when the instance is stopped.
/// </summary>
public sealed record PlannedTypeChange(bool ToStandIn) : PlanOwnedAction
{
    public override string AwsAction => "ec2:ModifyInstanceAttribute";

    public override Task<ImmutableDictionary<string, string>?> ExecuteAsync(CancellationToken cancellationToken) =>
        Task.FromResult<ImmutableDictionary<string, string>?>(null);

    public override string ToString() => $"{AwsAction}: {(ToStandIn ? "InstanceType = the stand-in Xen type" : "InstanceType = the original type")}";
}
