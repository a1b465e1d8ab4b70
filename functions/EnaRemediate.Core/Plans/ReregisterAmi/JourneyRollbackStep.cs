using EnaRemediate.Core.Engine;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// The end of a failed reregister-ami record. There is nothing to undo: the original is never
/// touched, and the images and replacements are left for the operator (the undo log says how to
/// remove each). It makes no call; it ends the record with the failure and what remains.
/// </summary>
public sealed class JourneyRollbackStep(AmiRegistrar registrar) : AmiStep("rollback", registrar)
{
    public override IReadOnlyList<string> Permissions { get; } = [];

    public override EngineAction? PlannedAction(EngineOptions options) => null;

    public override StepDecision Decide(StepContext context)
    {
        var remains = JourneyRemains.Describe(context, validated: false);
        return new StepDecision.Finish(Outcomes.Failed, $"{context.Memo(MemoKeys.FailureReason) ?? "the remediation failed"}. What remains: {remains}.",
            Memo((MemoKeys.Remains, remains)));
    }
}
