using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// inspect-source: DescribeImages of the instance's AMI, an earlier ENA-disabled copy of it, and
/// the instance's launch settings; then refuse (EBS-backed, deregistered, foreign, PV) or go on.
/// </summary>
public sealed class InspectSourceStep(AmiRegistrar registrar) : AmiStep("inspect-source", registrar)
{
    public override IReadOnlyList<string> Permissions { get; } = ["ec2:DescribeImages", "ec2:DescribeInstances"];

    public override EngineAction? PlannedAction(EngineOptions options) => null;

    public override StepDecision Decide(StepContext context)
    {
        var imageId = context.Memo(AmiMemo.SourceMissing) ?? Source(context)?.ImageId;
        if (imageId is null)
        {
            return context.Facts.Instance?.ImageId is { } id
                ? new StepDecision.Act(Inspect(id, context.Record.InstanceId), $"inspecting source AMI {id}")
                : new StepDecision.Finish(Outcomes.Refused, "EC2 does not report the instance's AMI id, so there is nothing to re-register; nothing was changed.",
                    Memo((AmiMemo.RefusalCode, SourceImageJudge.Deregistered)));
        }
        if (SourceImageJudge.Judge(imageId, Source(context)) is { } refusal)
        {
            return new StepDecision.Finish(Outcomes.Refused, refusal.Reason + " The instance was not touched.", Memo((AmiMemo.RefusalCode, refusal.Code)));
        }
        return new StepDecision.Next(context.Memo(AmiMemo.NewImageId) is { } existing
            ? $"source AMI {imageId} already has the ENA-disabled copy {existing}; reusing it"
            : $"source AMI {imageId} is an instance-store AMI of this account; registering an ENA-disabled copy");
    }

    private PlanCall Inspect(string imageId, string instanceId) => new("ec2:DescribeImages", $"inspect {imageId}", async ct =>
    {
        var found = await Registrar.InspectAsync(imageId, ct);
        var memo = ImmutableDictionary<string, string>.Empty;
        memo = found.Source is { } source ? memo.SetItem(AmiMemo.Source, ToJson(source)) : memo.SetItem(AmiMemo.SourceMissing, imageId);
        if (await Registrar.Images.DescribeLaunchSettingsAsync(instanceId, ct) is { } launch)
        {
            memo = memo.SetItem(AmiMemo.Launch, ToJson(launch));
        }
        if (found.Existing is { } existing)
        {
            memo = memo.SetItems(Memo(
                (AmiMemo.NewImageId, existing.ImageId),
                (AmiMemo.IntendedName, existing.Name),
                (AmiMemo.Reused, "true"),
                (AmiMemo.NewImageState, existing.State),
                (AmiMemo.NewImageSeenAt, Registrar.Now.ToString("O"))));
            // A copy found by its tag is finished; one found only by name crashed before tagging and is tagged next.
            if (existing.Tags.ContainsKey(AmiNaming.SourceImageTag))
            {
                memo = memo.SetItem(AmiMemo.Tagged, "true");
            }
        }
        return memo;
    });
}
