using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>await-rescue: the rescue instance running with its SSM agent Online (it runs the repair command).</summary>
public sealed class AwaitRescueStep(INitroPort nitro, ISsmPort ssm, TimeProvider time) : IPlanStep
{
    public string Name => "await-rescue";
    public IReadOnlyList<string> Permissions { get; } = ["ec2:DescribeInstances", "ssm:DescribeInstanceInformation"];
    public IReadOnlySet<string> ValidOriginStates => AmiStep.AnyInstanceState;
    public EngineAction? PlannedAction(EngineOptions options) => null;

    public StepDecision Decide(StepContext context)
    {
        var rescue = context.Memo(OfflineMemo.RescueId)!;
        var observed = Observation.Since(context, OfflineMemo.RescueObserved, context.StepStartedAt);
        switch (observed)
        {
            case "running|Online":
                return new StepDecision.Next($"rescue {rescue} running, SSM agent online");
            case { } o when o.StartsWith("terminated", StringComparison.Ordinal) || o.StartsWith("shutting-down", StringComparison.Ordinal) || o.StartsWith("gone", StringComparison.Ordinal):
                return new StepDecision.Fail($"the rescue instance {rescue} is {o.Split('|')[0]}");
        }
        if (context.InStepFor > context.Options.HealthyTimeout)
        {
            return new StepDecision.Fail($"the rescue instance {rescue} was not online within {context.Options.HealthyTimeout.TotalMinutes:0} minutes ({observed ?? "not seen"}); does its AMI run the SSM agent, and its instance profile allow SSM?");
        }
        if (Observation.Age(context, OfflineMemo.RescueObserved) is { } age && age < TimeSpan.FromSeconds(15) && observed is not null)
        {
            return new StepDecision.Wait(TimeSpan.FromSeconds(15) - age, $"waiting for the rescue instance ({observed})");
        }
        return new StepDecision.Act(new PlanCall("ec2:DescribeInstances", $"look at rescue {rescue}", async ct =>
        {
            var found = (await nitro.DescribeRescueInstancesAsync(context.Options.Nitro.StackName, ct)).FirstOrDefault(r => r.InstanceId == rescue);
            var ping = found?.State == "running" ? (await ssm.DescribePingStatusAsync([rescue], ct)).GetValueOrDefault(rescue) : null;
            return Observation.Of(OfflineMemo.RescueObserved, $"{found?.State ?? "gone"}|{ping ?? "not registered"}", time.GetUtcNow());
        }), $"waiting for the rescue instance {rescue}");
    }
}
