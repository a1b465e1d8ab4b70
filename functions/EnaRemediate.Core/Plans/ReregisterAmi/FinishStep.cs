using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>finish: outcome ami-registered, with the new AMI, the run-instances parameters of a replacement and the ephemeral-data warning.</summary>
public sealed class FinishStep(AmiRegistrar registrar) : AmiStep("finish", registrar)
{
    public override IReadOnlyList<string> Permissions { get; } = [];

    public override EngineAction? PlannedAction(EngineOptions options) => null;

    public override StepDecision Decide(StepContext context)
    {
        var imageId = context.Memo(AmiMemo.NewImageId)!;
        var parameters = ReplacementParameters.For(imageId, context.Record.InstanceId, FromJson<LaunchSettings>(context.Memo(AmiMemo.Launch)));
        var how = context.Memo(AmiMemo.Reused) == "true" ? "already existed (reused)" : "registered";
        var next = context.Memo(AmiMemo.ReplacementInstanceId) is { } replacement
            ? $"Replacement {replacement} launched from it; the original {context.Record.InstanceId} keeps running until you terminate it."
            : $"Launch a like-for-like replacement with: {parameters.ToCommandLine()} (user data: {parameters.UserDataReference}).";
        return new StepDecision.Finish(Outcomes.AmiRegistered,
            $"ENA-disabled AMI {imageId} ({context.Memo(AmiMemo.IntendedName)}) {how} from {Source(context)?.ImageId}; the instance was not stopped, rebooted or terminated. {next} {parameters.Warning}",
            Memo((AmiMemo.RunInstances, ToJson(parameters))));
    }
}
