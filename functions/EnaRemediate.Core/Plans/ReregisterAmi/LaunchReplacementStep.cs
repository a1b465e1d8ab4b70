using System.Collections.Immutable;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// launch-replacement (only with the launchReplacement option): RunInstances of one like-for-like
/// instance from the new AMI, with the remediation id as client token so a repeat launches nothing
/// new. The original is left running; retiring it is the operator's call. The replacement journey
/// launches a second, ENA-enabled one the same way (<see cref="ReplacementSlot"/>).
/// </summary>
public sealed class LaunchReplacementStep(AmiRegistrar registrar, LaunchReplacementStep.ReplacementSlot? slot = null) : AmiStep(slot?.StepName ?? "launch-replacement", registrar)
{
    public const string TerminateReplacementUndo = "terminate-replacement";

    /// <summary>Which replacement: the memo key of the image it boots, where its id is kept, and its client token's suffix (one launch per remediation and slot).</summary>
    public sealed record ReplacementSlot(string StepName, string ImageIdKey, string InstanceIdKey, string TokenSuffix, string What);

    public static readonly ReplacementSlot EnaOff = new("launch-replacement", AmiMemo.NewImageId, AmiMemo.ReplacementInstanceId, "", "replacement");
    public static readonly ReplacementSlot EnaOn = new("launch-ena-replacement", AmiMemo.EnaImageId, AmiMemo.EnaReplacementInstanceId, "-ena", "ENA-enabled replacement");

    private readonly ReplacementSlot _slot = slot ?? EnaOff;

    public override IReadOnlyList<string> Permissions { get; } = ["ec2:RunInstances", "ec2:DescribeInstanceAttribute", "ec2:CreateTags", "iam:PassRole"];

    public override StepDecision Decide(StepContext context)
    {
        if (context.Memo(AmiMemo.LaunchReplacementOption) != "true" && _slot == EnaOff)
        {
            return new StepDecision.Next("no replacement launched (launchReplacement was not asked for); the original keeps running");
        }
        if (context.Memo(_slot.InstanceIdKey) is { } launched)
        {
            return new StepDecision.Next($"{_slot.What} {launched} launched; the original {context.Record.InstanceId} keeps running");
        }
        var parameters = ReplacementParameters.For(context.Memo(_slot.ImageIdKey)!, context.Record.InstanceId, FromJson<LaunchSettings>(context.Memo(AmiMemo.Launch)));
        if (parameters.InstanceType is null)
        {
            return new StepDecision.Fail($"cannot launch a {_slot.What}: the original's launch settings are unknown (the AMI {parameters.ImageId} is registered)");
        }
        var launch = parameters.ToLaunch(context.Record.InstanceId, context.Record.RemediationId + _slot.TokenSuffix);
        var undo = new UndoEntry(TerminateReplacementUndo, $"terminate the {_slot.What} (never the original) if it is not wanted",
            ImmutableDictionary<string, string>.Empty.Add("clientToken", launch.ClientToken), context.Now);
        var alreadyRecorded = context.Record.UndoLog.Any(u => u.Action == TerminateReplacementUndo && u.Parameters.GetValueOrDefault("clientToken") == launch.ClientToken);
        return new StepDecision.Act(new PlanCall("ec2:RunInstances", $"launch from {launch.ImageId}", async ct =>
        {
            var userData = await Registrar.Images.DescribeUserDataAsync(launch.UserDataFromInstanceId, ct);
            var id = await Registrar.Images.RunInstanceAsync(launch, userData, ct);
            return ImmutableDictionary<string, string>.Empty.Add(_slot.InstanceIdKey, id);
        }), $"launching a {launch.InstanceType} {_slot.What} from {launch.ImageId}", alreadyRecorded ? null : undo);
    }
}
