using EnaRemediate.Core.Engine;
namespace EnaRemediate.Core.Plans.Steps;

/// <summary>The last step: an instance found stopped is stopped again; then the record ends with the plan's outcome.</summary>
public sealed class LeaveAsFoundStep(string name, string reason) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ec2:StopInstances"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "running" };
    public EngineAction? PlannedAction(EngineOptions options) => null;

    /// <summary>It decides from the state alone (and the memo of how the instance was found).</summary>
    public bool ObservesHealth(RemediationRecord record) => false;
    public bool ObservesAttributes(RemediationRecord record) => false;

    public StepDecision Decide(StepContext context)
    {
        if (!context.FoundStopped || context.Facts.State == "stopped")
        {
            return new StepDecision.Finish(Outcomes.Recovered, reason);
        }
        return context.Facts.State switch
        {
            "running" => new StepDecision.Act(new StopAction(false), "stopping again: it was stopped when found"),
            "stopping" or "pending" => new StepDecision.Wait(TimeSpan.FromSeconds(15), "waiting for the instance to stop as it was found"),
            _ => new StepDecision.Fail($"the instance is {context.Facts.State}"),
        };
    }
}
