using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// acquire-rescue: claims a device on a rescue instance in the root's zone and architecture,
/// launching one when none has room and the account is under the maximum; otherwise (or when EC2
/// refuses the launch for quota or capacity) waits (up to <see cref="NitroOptions.RescueWaitTimeout"/>,
/// nothing changed yet). The undo "release the
/// rescue" is recorded before the first claim or launch.
/// </summary>
public sealed class AcquireRescueStep(RescuePool pool) : IPlanStep
{
    private const string TriedKey = "rescue.tried";
    private const string LaunchKey = "rescue.launchNeeded";
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(60);

    public string Name => "acquire-rescue";
    public IReadOnlyList<string> Permissions { get; } = ["ec2:DescribeInstances", "ec2:RunInstances", "ec2:CreateTags", "iam:PassRole"];
    public IReadOnlySet<string> ValidOriginStates => AmiStep.AnyInstanceState;
    public EngineAction? PlannedAction(EngineOptions options) => PlanCall.Planned("ec2:RunInstances", "launch (or reuse) a rescue instance in the same Availability Zone and claim a device on it");

    public StepDecision Decide(StepContext context)
    {
        if (context.Memo(OfflineMemo.RescueId) is { } rescue)
        {
            return new StepDecision.Next($"rescue {rescue} ({(context.Memo(OfflineMemo.RescueLaunched) == "true" ? "launched" : "reused")}), device {context.Memo(OfflineMemo.RescueDevice)}");
        }
        var options = context.Options.Nitro;
        if (context.MemoTime(OfflineMemo.RescueWaitingSince) is { } since)
        {
            if (context.Now - since > options.RescueWaitTimeout)
            {
                return new StepDecision.Fail($"no rescue instance became free within {options.RescueWaitTimeout.TotalMinutes:0} minutes ({options.MaxConcurrentRescues} may run at once; last: {context.Memo(TriedKey)})");
            }
            if (Observation.Age(context, TriedKey) is { } age && age < RetryEvery)
            {
                return new StepDecision.Wait(RetryEvery - age, $"waiting for a rescue slot ({context.Memo(TriedKey)})");
            }
        }
        var id = context.Record.InstanceId;
        var zone = context.Memo(OfflineMemo.Zone)!;
        var architecture = context.Memo(OfflineMemo.Architecture)!;
        var subnet = context.Memo(OfflineMemo.Subnet) is { Length: > 0 } s ? s : null;
        // Paced as what it will most likely be: a launch where no rescue there has room (as last seen), else a claim
        // (a CreateTags); a retry while waiting for a slot mostly looks (RescueWaitTimeout bounds it, and a launch is
        // idempotent by its client token).
        var action = context.MemoTime(OfflineMemo.RescueWaitingSince) is not null ? "ec2:DescribeInstances"
            : pool.WouldLaunch(zone, architecture, options) ? "ec2:RunInstances" : "ec2:CreateTags";
        var call = new PlanCall(action, $"claim or launch a rescue in {zone} ({architecture})", async ct =>
        {
            var acquired = await pool.AcquireAsync(id, zone, architecture, subnet, context.Record.RemediationId, options, mayLaunch: action != "ec2:CreateTags", ct);
            return acquired switch
            {
                { Claim: { } claim } => RescuePool.Memo(claim),
                // Not a wait for a slot: the next look decides again, paced as a launch.
                { LaunchNeeded: true } => Observation.Of(LaunchKey, acquired.WaitingFor, pool.Now),
                _ => Observation.Of(TriedKey, acquired.WaitingFor, pool.Now)
                    .Add(OfflineMemo.RescueWaitingSince, (context.MemoTime(OfflineMemo.RescueWaitingSince) ?? pool.Now).ToString("O")),
            };
        });
        var undo = context.Record.UndoLog.Any(u => u.Action == OfflineMemo.ReleaseRescueUndo)
            ? null
            : new UndoEntry(OfflineMemo.ReleaseRescueUndo, "release the rescue claim; terminate the rescue instance when nothing else uses it", ImmutableDictionary<string, string>.Empty, context.Now);
        return new StepDecision.Act(call, $"finding a rescue instance in {zone}", undo);
    }
}
