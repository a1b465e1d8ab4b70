using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.TypeSwap;

/// <summary>
/// A <see cref="RunCommandStep"/> that sends as soon as the SSM agent is Online, without waiting
/// for both status checks (on the stand-in the network is what matters); the waiting and judging
/// are the inner step's.
/// </summary>
public sealed class CommandWhenOnlineStep(RunCommandStep inner) : IPlanStep
{
    public string Name => inner.Name;
    public IReadOnlyList<string> Permissions => inner.Permissions;
    public IReadOnlySet<string> ValidOriginStates => inner.ValidOriginStates;
    public EngineAction? PlannedAction(EngineOptions options) => inner.PlannedAction(options);
    public bool ObservesHealth(RemediationRecord record) => inner.ObservesHealth(record);
    public bool ObservesInstance(RemediationRecord record) => inner.ObservesInstance(record);
    public bool ObservesAttributes(RemediationRecord record) => inner.ObservesAttributes(record);
    public AwaitedCommand? AwaitsCommand(RemediationRecord record) => ((IPlanStep)inner).AwaitsCommand(record);

    public StepDecision Decide(StepContext context) =>
        context.Memo(MemoKeys.CommandId(Name)) is null && context.Facts is { State: "running", SsmPingStatus: "Online" }
            ? new StepDecision.Act(inner.Action(context.Options), $"running {inner.Action(context.Options).DocumentName}")
            : inner.Decide(context);
}
