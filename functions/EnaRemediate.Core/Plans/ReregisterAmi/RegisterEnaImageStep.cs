using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// register-ena-image: RegisterImage of the new bundle with EnaSupport=true and the source's other
/// attributes, then its tags, in one call that is safe to repeat (the image is found again by its
/// name, saved before the call). Only the manifest this remediation asked for is registered: a
/// result naming any other place is refused, since the host's output is not trusted to choose it.
/// </summary>
public sealed class RegisterEnaImageStep(AmiRegistrar registrar) : AmiStep("register-ena-image", registrar)
{
    public override IReadOnlyList<string> Permissions { get; } = ["ec2:RegisterImage", "ec2:DescribeImages", "ec2:CreateTags"];

    public override StepDecision Decide(StepContext context)
    {
        if (context.Memo(AmiMemo.EnaImageId) is { } imageId)
        {
            return new StepDecision.Next($"ENA-enabled image {imageId} ({context.Memo(AmiMemo.EnaImageName)}) registered from {context.Memo(AmiMemo.BundleManifest)}");
        }
        if (Source(context) is not { } source || context.Memo(AmiMemo.BundleBucket) is not { } bucket || context.Memo(AmiMemo.BundlePrefix) is not { } prefix)
        {
            return new StepDecision.Fail("there is no re-bundled image to register");
        }
        var expected = RebundleStep.ManifestLocation(bucket, prefix);
        if (context.Memo(AmiMemo.BundleManifest) != expected)
        {
            return new StepDecision.Fail($"the re-bundle reported the manifest '{context.Memo(AmiMemo.BundleManifest)}', not {expected}; nothing was registered from it");
        }
        var resuming = context.Memo(AmiMemo.EnaImageName);
        var name = resuming ?? AmiNaming.NameFor(source.Name, context.Now, AmiNaming.EnabledSuffix, context.Record.RemediationId);
        var registration = SourceImageJudge.Copy(source, name, expected, enaSupport: true);
        // The source tag too (the deployment's IAM lets the plan tag only images it marks with both
        // of its keys); an ENA-enabled image is never taken for an ENA-disabled copy (AmiRegistrar).
        var tags = AmiNaming.TagsFor(source.Tags, source.ImageId, context.Record.RemediationId)
            .Append(KeyValuePair.Create(AmiNaming.BundledFromTag, context.Memo(AmiMemo.NewImageId) ?? source.ImageId))
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var call = new PlanCall("ec2:RegisterImage", $"register {name}", async ct =>
        {
            var id = await Registrar.EnsureRegisteredAsync(registration, ct);
            await Registrar.TagAsync(id, tags, ct);
            return ImmutableDictionary<string, string>.Empty.Add(AmiMemo.EnaImageId, id);
        });
        if (resuming is not null)
        {
            return new StepDecision.Act(call, $"resuming the registration of {name} (finding it by name, or registering it)");
        }
        var undo = new UndoEntry(RegisterImageStep.DeregisterUndo, $"aws ec2 deregister-image for the image named {name} if it is not wanted (and delete s3://{bucket}/{prefix}/)",
            ImmutableDictionary<string, string>.Empty.Add("name", name).Add("sourceImageId", source.ImageId).Add("manifest", expected), context.Now);
        return new StepDecision.Act(call, $"registering {name} from {expected} with EnaSupport=true", undo, Memo((AmiMemo.EnaImageName, name)));
    }
}
