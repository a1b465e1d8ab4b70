using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// Waits for a just-launched replacement to pass both status checks with its SSM agent Online
/// (<see cref="AwaitHealthyStep"/>); before that, a replacement DescribeInstances does not report
/// yet is waited for too, within the same healthy timeout.
/// </summary>
public sealed class AwaitReplacementStep(string name) : IPlanStep
{
    private readonly AwaitHealthyStep _healthy = new(name);

    public string Name => name;
    public IReadOnlyList<string> Permissions => _healthy.Permissions;
    public IReadOnlySet<string> ValidOriginStates => _healthy.ValidOriginStates;
    public EngineAction? PlannedAction(EngineOptions options) => null;

    public StepDecision Decide(StepContext context)
    {
        if (context.Facts.State != "not-found")
        {
            return _healthy.Decide(context);
        }
        return context.InStepFor > context.Options.HealthyTimeout
            ? new StepDecision.Fail($"EC2 did not report the replacement {context.Record.ActingOn} within {context.Options.HealthyTimeout.TotalMinutes:0} minutes")
            : new StepDecision.Wait(TimeSpan.FromSeconds(15), $"waiting for EC2 to report the replacement {context.Record.ActingOn}");
    }
}
