using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// await-available: looks at the new image on the reconciler's schedule (a DescribeImages every
/// <see cref="LookEvery"/>, never a sleep) until it is available; a failed image ends the plan.
/// The same step waits for the ENA-disabled copy and for the ENA-enabled image of the
/// replacement journey: <see cref="ImageSlot"/> says which image's memo it reads and writes.
/// </summary>
public sealed class AwaitAvailableStep(AmiRegistrar registrar, AwaitAvailableStep.ImageSlot? slot = null) : AmiStep(slot?.StepName ?? "await-available", registrar)
{
    /// <summary>The memo keys of one image: its id, its last seen state and when it was seen.</summary>
    public sealed record ImageSlot(string StepName, string ImageIdKey, string StateKey, string SeenAtKey);

    public static readonly ImageSlot EnaDisabledCopy = new("await-available", AmiMemo.NewImageId, AmiMemo.NewImageState, AmiMemo.NewImageSeenAt);
    public static readonly ImageSlot EnaEnabledImage = new("await-ena-image", AmiMemo.EnaImageId, AmiMemo.EnaImageState, AmiMemo.EnaImageSeenAt);

    private readonly ImageSlot _slot = slot ?? EnaDisabledCopy;

    public static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(15);
    /// <summary>Registering from an S3 manifest takes minutes; an hour and a half means something is wrong.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(90);

    public override IReadOnlyList<string> Permissions { get; } = ["ec2:DescribeImages"];

    public override EngineAction? PlannedAction(EngineOptions options) => null;

    public override StepDecision Decide(StepContext context)
    {
        if (context.Memo(_slot.ImageIdKey) is not { } imageId)
        {
            return new StepDecision.Fail("there is no registered image to wait for");
        }
        var state = context.Memo(_slot.StateKey);
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
        var seenAt = context.MemoTime(_slot.SeenAtKey);
        if (seenAt is { } seen && context.Now - seen < LookEvery)
        {
            return new StepDecision.Wait(LookEvery - (context.Now - seen), $"waiting for {imageId} to become available (it is {state})");
        }
        return new StepDecision.Act(new PlanCall("ec2:DescribeImages", $"state of {imageId}", async ct =>
            Memo((_slot.StateKey, await Registrar.StateAsync(imageId, ct)), (_slot.SeenAtKey, Registrar.Now.ToString("O")))),
            $"looking at the state of {imageId}");
    }
}
