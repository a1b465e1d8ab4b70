using EnaRemediate.Core.Engine;
namespace EnaRemediate.Core.Plans.Steps;

/// <summary>
/// Waits until the instance is running with its SSM agent Online and, unless
/// <paramref name="ssmOnlineSuffices"/>, both status checks ok. The first boot of the fallback
/// needs only the agent (the driver install is an SSM command; the checks settle minutes later),
/// the proof of recovery after the last boot needs both. Looks follow the expected boot latencies.
/// </summary>
public sealed class AwaitHealthyStep(string name, bool ssmOnlineSuffices = false) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ec2:DescribeInstanceStatus", "ssm:DescribeInstanceInformation"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string>();
    public EngineAction? PlannedAction(EngineOptions options) => null;
    public bool ObservesAttributes(RemediationRecord record) => false;

    /// <summary>Waiting for both checks, the agent's ping decides nothing until they are ok (the agent was Online for the validation before).</summary>
    public bool ObservesPingOnlyWhenChecksOk(RemediationRecord record) => !ssmOnlineSuffices;

    /// <summary>Both waits need the agent Online, nothing more, until the look that fails them on <see cref="EngineOptions.HealthyTimeout"/>.</summary>
    public bool ObservesOnlyWhetherOnline(RemediationRecord record, TimeSpan inStep, EngineOptions options) => inStep <= options.HealthyTimeout;

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
        if (ssmOnlineSuffices ? facts.IsManaged : facts.IsHealthyAndManaged)
        {
            return new StepDecision.Next(ssmOnlineSuffices ? "SSM agent online" : "status checks ok and SSM agent online");
        }
        var waited = context.InStepFor;
        var status = $"instance check {facts.Status?.InstanceStatus ?? "unknown"}, SSM {facts.PingText}";
        if (waited > context.Options.HealthyTimeout)
        {
            return new StepDecision.Fail($"not healthy {context.Options.HealthyTimeout.TotalMinutes:0} minutes after start ({status})");
        }
        // The checks settle after the agent registers: wait for whichever is still missing.
        var awaiting = ssmOnlineSuffices || facts.Status?.InstanceStatus == "ok" ? ExpectedLatencies.SsmOnline : ExpectedLatencies.StatusChecks;
        return new StepDecision.Wait(awaiting.NextLook(waited), $"waiting for {(ssmOnlineSuffices ? "the SSM agent" : "health")} ({status})");
    }
}
