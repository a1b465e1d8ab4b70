using EnaRemediate.Core.Engine;
namespace EnaRemediate.Core.Plans.Steps;

/// <summary>Waits until the instance is running, passes both status checks and its SSM agent is Online.</summary>
public sealed class AwaitHealthyStep(string name) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ec2:DescribeInstanceStatus", "ssm:DescribeInstanceInformation"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string>();
    public EngineAction? PlannedAction(EngineOptions options) => null;

    public StepDecision Decide(StepContext context)
    {
        var facts = context.Facts;
        if (facts.State is not ("running" or "pending"))
        {
            return new StepDecision.Fail($"the instance became {facts.State} while waiting for it to be healthy");
        }
        if (SystemCheck.Impaired(facts) is { } system)
        {
            return new StepDecision.Fail(system);
        }
        if (facts.IsHealthyAndManaged)
        {
            return new StepDecision.Next("status checks ok and SSM agent online");
        }
        var waited = context.InStepFor;
        var status = $"instance check {facts.Status?.InstanceStatus ?? "unknown"}, SSM {facts.SsmPingStatus ?? "not registered"}";
        if (waited > context.Options.HealthyTimeout)
        {
            return new StepDecision.Fail($"not healthy {context.Options.HealthyTimeout.TotalMinutes:0} minutes after start ({status})");
        }
        // Status checks take minutes to settle; the SSM agent a little less. Poll accordingly.
        var after = facts.Status?.InstanceStatus == "ok" ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(30);
        return new StepDecision.Wait(after, $"waiting for health ({status})");
    }
}
