using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// finish: outcome ami-registered, with the new AMI, the run-instances parameters of a replacement
/// and the ephemeral-data warning; after the replacement journey, also the ENA-enabled AMI, the
/// validated ENA-enabled replacement and everything that remains running.
/// </summary>
public sealed class FinishStep(AmiRegistrar registrar) : AmiStep("finish", registrar)
{
    public override IReadOnlyList<string> Permissions { get; } = [];

    public override EngineAction? PlannedAction(EngineOptions options) => null;

    public override StepDecision Decide(StepContext context)
    {
        var imageId = context.Memo(AmiMemo.NewImageId)!;
        var parameters = ReplacementParameters.For(imageId, context.Record.InstanceId, FromJson<LaunchSettings>(context.Memo(AmiMemo.Launch)));
        var how = context.Memo(AmiMemo.Reused) == "true" ? "already existed (reused)" : "registered";
        if (JourneyStep.Asked(context) && context.Memo(AmiMemo.EnaReplacementInstanceId) is { } enaReplacement)
        {
            var remains = JourneyRemains.Describe(context, validated: true);
            return new StepDecision.Finish(Outcomes.AmiRegistered,
                $"ENA-disabled AMI {imageId} {how} from {Source(context)?.ImageId}; its replacement {context.Memo(AmiMemo.ReplacementInstanceId)} got the ENA driver " +
                $"{context.Memo(MemoKeys.InstalledDriver)} through DKMS for every kernel (validated) and was re-bundled into ENA-enabled AMI {context.Memo(AmiMemo.EnaImageId)}; " +
                $"the ENA-enabled replacement {enaReplacement} ({parameters.InstanceType}) booted from it with ena bound (validated). What remains: {remains}. {parameters.Warning}",
                Memo((AmiMemo.RunInstances, ToJson(parameters)), (MemoKeys.Remains, remains)));
        }
        var next = context.Memo(AmiMemo.ReplacementInstanceId) is { } replacement
            ? $"Replacement {replacement} launched from it; the original {context.Record.InstanceId} keeps running until you terminate it."
            : $"Launch a like-for-like replacement with: {parameters.ToCommandLine()} (user data: {parameters.UserDataReference}).";
        return new StepDecision.Finish(Outcomes.AmiRegistered,
            $"ENA-disabled AMI {imageId} ({context.Memo(AmiMemo.IntendedName)}) {how} from {Source(context)?.ImageId}; the instance was not stopped, rebooted or terminated. {next} {parameters.Warning}",
            Memo((AmiMemo.RunInstances, ToJson(parameters))));
    }
}
