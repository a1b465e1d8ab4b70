using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// Waits for the rescue instance: <c>await-rescue-running</c> before the root is attached to it
/// (EC2 attaches only to a running instance), <c>await-rescue</c> before the repair (its SSM agent
/// Online: it runs the repair command). It boots while the instance stops and its root is
/// snapshotted and moved, so a new rescue's boot is off the repair's path.
/// Every waiting record reads the pool's shared view of the rescues (one describe a look).
/// </summary>
public sealed class AwaitRescueStep(string name, bool online, RescuePool pool) : IPlanStep
{
    /// <summary>Each waiting record looks at its own rescue: a tenth of DescribeInstances' refill at 200 records, a lag of ~5 s.</summary>
    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(10);

    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = online ? ["ec2:DescribeInstances", "ssm:DescribeInstanceInformation"] : ["ec2:DescribeInstances"];
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
            case { } o when !online && o.StartsWith("running|", StringComparison.Ordinal):
                return new StepDecision.Next($"rescue {rescue} running (its SSM agent registers while the instance stops)");
            case { } o when o.StartsWith("terminated", StringComparison.Ordinal) || o.StartsWith("shutting-down", StringComparison.Ordinal) || o.StartsWith("gone", StringComparison.Ordinal):
                return new StepDecision.Fail($"the rescue instance {rescue} is {o.Split('|')[0]}");
        }
        if (context.InStepFor > context.Options.HealthyTimeout)
        {
            return new StepDecision.Fail(online
                ? $"the rescue instance {rescue} was not online within {context.Options.HealthyTimeout.TotalMinutes:0} minutes ({Readable(observed)}); does its AMI run the SSM agent, and its instance profile allow SSM?"
                : $"the rescue instance {rescue} was not running within {context.Options.HealthyTimeout.TotalMinutes:0} minutes ({Readable(observed)})");
        }
        if (Observation.Age(context, OfflineMemo.RescueObserved) is { } age && age < LookEvery && observed is not null)
        {
            return new StepDecision.Wait(LookEvery - age, $"waiting for the rescue instance {rescue} ({Readable(observed)})");
        }
        return new StepDecision.Act(new PlanCall("ec2:DescribeInstances", $"look at rescue {rescue}", async ct =>
        {
            var (state, ping) = await pool.LookAsync(rescue, online, context.Options.Nitro, ct);
            return Observation.Of(OfflineMemo.RescueObserved, $"{state}|{ping ?? "not registered"}", pool.Now);
        }), $"waiting for the rescue instance {rescue}");
    }

    /// <summary>The observation ("state|ping") as an operator reads it: "running, SSM agent not registered".</summary>
    internal static string Readable(string? observed) => observed?.Split('|') switch
    {
        null => "not seen",
        [var state, var ping] => $"{state}, SSM agent {ping}",
        _ => observed,
    };
}
