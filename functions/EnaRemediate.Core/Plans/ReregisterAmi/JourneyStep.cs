using EnaRemediate.Core.Engine;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// A step of the replacement journey (the thenRemediate option): it runs only when the request
/// asked for it, and is passed over otherwise, so a plain registration keeps its six steps'
/// behaviour. A dry run lists the registration's calls only; the journey's commands go to an
/// instance that does not exist yet.
/// </summary>
public sealed class JourneyStep(IPlanStep inner) : IPlanStep
{
    public string Name => inner.Name;
    public IReadOnlyList<string> Permissions => inner.Permissions;
    public IReadOnlySet<string> ValidOriginStates => inner.ValidOriginStates;
    public EngineAction? PlannedAction(EngineOptions options) => null;

    public static bool Asked(StepContext context) => context.Memo(AmiMemo.ThenRemediateOption) == "true";

    public StepDecision Decide(StepContext context) =>
        Asked(context) ? inner.Decide(context) : new StepDecision.Next($"{inner.Name}: not asked for (thenRemediate is off)");
}
