using System.Collections.Immutable;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>tag-image: the source's tags plus EnaRemediate:SourceImage and EnaRemediate:RemediationId, by which later requests find this copy.</summary>
public sealed class TagImageStep(AmiRegistrar registrar) : AmiStep("tag-image", registrar)
{
    public override IReadOnlyList<string> Permissions { get; } = ["ec2:CreateTags"];

    public override StepDecision Decide(StepContext context)
    {
        var imageId = context.Memo(AmiMemo.NewImageId);
        if (context.Memo(AmiMemo.Tagged) == "true")
        {
            return new StepDecision.Next($"{imageId} is tagged with its source image");
        }
        if (imageId is null || Source(context) is not { } source)
        {
            return new StepDecision.Fail("there is no registered image to tag");
        }
        var tags = AmiNaming.TagsFor(source.Tags, source.ImageId, context.Record.RemediationId);
        return new StepDecision.Act(new PlanCall("ec2:CreateTags", $"tag {imageId}", async ct =>
        {
            await Registrar.TagAsync(imageId, tags, ct);
            return ImmutableDictionary<string, string>.Empty.Add(AmiMemo.Tagged, "true");
        }), $"tagging {imageId} with {tags.Count} tag(s), {AmiNaming.SourceImageTag}={source.ImageId}");
    }
}
