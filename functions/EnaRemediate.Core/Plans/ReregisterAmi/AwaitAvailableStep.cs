using EnaRemediate.Core.Engine;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// await-available: looks at the new image on the reconciler's schedule (a DescribeImages every
/// <see cref="LookEvery"/>, never a sleep) until it is available; a failed image ends the plan.
/// </summary>
public sealed class AwaitAvailableStep(AmiRegistrar registrar) : AmiStep("await-available", registrar)
{
    public static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(15);
    /// <summary>Registering from an S3 manifest takes minutes; an hour and a half means something is wrong.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(90);

    public override IReadOnlyList<string> Permissions { get; } = ["ec2:DescribeImages"];

    public override EngineAction? PlannedAction(EngineOptions options) => null;

    public override StepDecision Decide(StepContext context)
    {
        if (context.Memo(AmiMemo.NewImageId) is not { } imageId)
        {
            return new StepDecision.Fail("there is no registered image to wait for");
        }
        var state = context.Memo(AmiMemo.NewImageState);
        switch (state)
        {
            case "available":
                return new StepDecision.Next($"{imageId} is available");
            case "failed" or "invalid" or "error" or "deregistered" or "disabled":
                return new StepDecision.Fail($"the new image {imageId} is {state}");
        }
        if (context.InStepFor > Timeout)
        {
            return new StepDecision.Fail($"{imageId} was still {state ?? "unknown"} after {Timeout.TotalMinutes:0} minutes");
        }
        var seenAt = context.MemoTime(AmiMemo.NewImageSeenAt);
        if (seenAt is { } seen && context.Now - seen < LookEvery)
        {
            return new StepDecision.Wait(LookEvery - (context.Now - seen), $"waiting for {imageId} to become available (it is {state})");
        }
        return new StepDecision.Act(new ImageCall("ec2:DescribeImages", $"state of {imageId}", async ct =>
            Memo((AmiMemo.NewImageState, await Registrar.StateAsync(imageId, ct)), (AmiMemo.NewImageSeenAt, Registrar.Now.ToString("O")))),
            $"looking at the state of {imageId}");
    }
}
