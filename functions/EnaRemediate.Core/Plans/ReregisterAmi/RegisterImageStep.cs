using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// register-image: RegisterImage of the source's manifest and attributes with EnaSupport=false.
/// The intended name is saved with the record before the call, so a retry after a crash looks
/// the image up by that name instead of registering a second one.
/// </summary>
public sealed class RegisterImageStep(AmiRegistrar registrar) : AmiStep("register-image", registrar)
{
    public const string DeregisterUndo = "deregister-image";

    public override IReadOnlyList<string> Permissions { get; } = ["ec2:RegisterImage", "ec2:DescribeImages"];

    public override StepDecision Decide(StepContext context)
    {
        if (context.Memo(AmiMemo.NewImageId) is { } imageId)
        {
            return new StepDecision.Next($"ENA-disabled image {imageId} ({context.Memo(AmiMemo.IntendedName)})");
        }
        if (Source(context) is not { } source)
        {
            return new StepDecision.Fail("the source image was not inspected");
        }
        var resuming = context.Memo(AmiMemo.IntendedName);
        var name = resuming ?? AmiNaming.NameFor(source.Name, context.Now);
        var registration = SourceImageJudge.CopyWithoutEna(source, name);
        var call = new PlanCall("ec2:RegisterImage", $"register {name}", async ct =>
            ImmutableDictionary<string, string>.Empty.Add(AmiMemo.NewImageId, await Registrar.EnsureRegisteredAsync(registration, ct)));
        if (resuming is not null)
        {
            return new StepDecision.Act(call, $"resuming the registration of {name} (finding it by name, or registering it)");
        }
        // The plan keeps the image (it is the result), so nothing runs this undo; it tells the operator how to remove it.
        var undo = new UndoEntry(DeregisterUndo, $"aws ec2 deregister-image for the image named {name} if it is not wanted",
            ImmutableDictionary<string, string>.Empty.Add("name", name).Add("sourceImageId", source.ImageId), context.Now);
        return new StepDecision.Act(call, $"registering {name} from {source.ImageLocation} with EnaSupport=false", undo, Memo((AmiMemo.IntendedName, name)));
    }
}
