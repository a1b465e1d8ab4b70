using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// launch-replacement (only with the launchReplacement option): RunInstances of one like-for-like
/// instance from the new AMI, with the remediation id as client token so a repeat launches nothing
/// new. The original is left running; retiring it is the operator's call.
/// </summary>
public sealed class LaunchReplacementStep(AmiRegistrar registrar) : AmiStep("launch-replacement", registrar)
{
    public const string TerminateReplacementUndo = "terminate-replacement";

    public override IReadOnlyList<string> Permissions { get; } = ["ec2:RunInstances", "ec2:DescribeInstanceAttribute", "ec2:CreateTags", "iam:PassRole"];

    public override StepDecision Decide(StepContext context)
    {
        if (context.Memo(AmiMemo.LaunchReplacementOption) != "true")
        {
            return new StepDecision.Next("no replacement launched (launchReplacement was not asked for); the original keeps running");
        }
        if (context.Memo(AmiMemo.ReplacementInstanceId) is { } launched)
        {
            return new StepDecision.Next($"replacement {launched} launched; the original {context.Record.InstanceId} keeps running");
        }
        var parameters = ReplacementParameters.For(context.Memo(AmiMemo.NewImageId)!, context.Record.InstanceId, FromJson<LaunchSettings>(context.Memo(AmiMemo.Launch)));
        if (parameters.InstanceType is null)
        {
            return new StepDecision.Fail($"cannot launch a replacement: the original's launch settings are unknown (the AMI {parameters.ImageId} is registered)");
        }
        var launch = parameters.ToLaunch(context.Record.InstanceId, context.Record.RemediationId);
        var undo = new UndoEntry(TerminateReplacementUndo, "terminate the replacement (never the original) if it is not wanted",
            ImmutableDictionary<string, string>.Empty.Add("clientToken", launch.ClientToken), context.Now);
        var alreadyRecorded = context.Record.UndoLog.Any(u => u.Action == TerminateReplacementUndo);
        return new StepDecision.Act(new ImageCall("ec2:RunInstances", $"launch from {launch.ImageId}", async ct =>
        {
            var userData = await Registrar.Images.DescribeUserDataAsync(launch.UserDataFromInstanceId, ct);
            var id = await Registrar.Images.RunInstanceAsync(launch, userData, ct);
            return ImmutableDictionary<string, string>.Empty.Add(AmiMemo.ReplacementInstanceId, id);
        }), $"launching a {launch.InstanceType} replacement from {launch.ImageId}", alreadyRecorded ? null : undo);
    }
}
