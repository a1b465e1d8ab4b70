using EnaRemediate.Core.Engine;
namespace EnaRemediate.Core.Plans.Steps;

/// <summary>Brings a stopped instance to running (StartInstances; EC2 allows 5 calls in a burst, so the reconciler paces it).</summary>
public sealed class StartStep(string name) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ec2:StartInstances"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "stopped" };
    public EngineAction? PlannedAction(EngineOptions options) => new StartAction();
    public bool ObservesHealth(RemediationRecord record) => false;
    public bool ObservesAttributes(RemediationRecord record) => false;

    public StepDecision Decide(StepContext context)
    {
        switch (context.Facts.State)
        {
            case "running":
                return new StepDecision.Next("running");
            case "stopped":
                // While EC2 has no capacity the reconciler's capacity window applies instead; a start
                // still waiting for its token (thousands queue for EC2's 2 a second) has not been refused.
                if (context.Memo(MemoKeys.CapacitySince) is null && context.SinceAccepted(new StartAction().AwsAction) > context.Options.StartTimeout)
                {
                    return new StepDecision.Fail($"the instance would not start within {context.Options.StartTimeout.TotalMinutes:0} minutes");
                }
                return new StepDecision.Act(new StartAction(), "starting");
            case "pending":
                return new StepDecision.Wait(ExpectedLatencies.Start.NextLook(context.InStepFor), "waiting for the instance to run (pending)");
            case "stopping":
                return new StepDecision.Wait(ExpectedLatencies.Stop.PollEvery, "waiting for the stop to finish before starting");
            default:
                return new StepDecision.Fail($"cannot start an instance that is {context.Facts.State}");
        }
    }
}
