using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.Fallback;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// run-repair: EnaRemediate-OfflineRepair on the rescue instance with TargetDevice (where the root
/// is attached) and the driver parameters: it mounts the volume, chroots and installs the driver
/// for every kernel installed on it, rebuilding its initramfs. The time it was sent is saved
/// first: from then on the volume may have changed, which decides what a rollback restores.
/// </summary>
public sealed class RunRepairStep(ISsmPort ssm, TimeProvider time) : IPlanStep
{
    public string Name => "run-repair";
    public IReadOnlyList<string> Permissions { get; } = ["ssm:SendCommand", "ssm:GetCommandInvocation"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "stopped" };
    public EngineAction? PlannedAction(EngineOptions options) => PlanCall.Planned("ssm:SendCommand", $"{options.Nitro.OfflineRepairDocument} on the rescue instance (chroot install for every kernel on the volume)");

    public StepDecision Decide(StepContext context)
    {
        var rescue = context.Memo(OfflineMemo.RescueId)!;
        var document = context.Options.Nitro.OfflineRepairDocument;
        if (context.Memo(OfflineMemo.RepairCommandId) is not { } commandId)
        {
            var parameters = context.Options.InstallParameters.ToDictionary(p => p.Key, p => p.Value);
            parameters["TargetDevice"] = [context.Memo(OfflineMemo.RescueDevice)!];
            var send = new PlanCall("ssm:SendCommand", $"{document} on {rescue}", async ct =>
                ImmutableDictionary<string, string>.Empty.Add(OfflineMemo.RepairCommandId,
                    await ssm.SendCommandAsync(document, [rescue], parameters, $"EnaRemediate offline repair of {context.Record.InstanceId}", ct)));
            return new StepDecision.Act(send, $"running {document} on the rescue {rescue}",
                Memo: context.Memo(OfflineMemo.RepairSentAt) is null ? ImmutableDictionary<string, string>.Empty.Add(OfflineMemo.RepairSentAt, context.Now.ToString("O")) : null);
        }
        var status = Observation.Since(context, OfflineMemo.RepairStatus, context.StepStartedAt);
        if (context.Memo(OfflineMemo.RepairPassed) == "true")
        {
            return new StepDecision.Next(context.Memo(OfflineMemo.RepairReason) ?? "repaired");
        }
        if (status is not null && status is not ("Pending" or "InProgress" or "Delayed" or "unknown"))
        {
            return new StepDecision.Fail($"{document}: {context.Memo(OfflineMemo.RepairReason) ?? status}");
        }
        if (context.InStepFor > context.Options.CommandTimeout)
        {
            return new StepDecision.Fail($"{document} did not finish within {context.Options.CommandTimeout.TotalMinutes:0} minutes");
        }
        // The first look comes when the fastest chroot DKMS build would be done; each look is this
        // record's own GetCommandInvocation (not a listing shared by the fleet), so later ones are
        // the late-poll interval apart rather than the shared polls' few seconds.
        var sentFor = context.Now - (context.MemoTime(OfflineMemo.RepairSentAt) ?? context.StepStartedAt);
        var seenAgo = status is null ? sentFor : Observation.Age(context, OfflineMemo.RepairStatus) ?? sentFor;
        var expected = ExpectedLatencies.DriverInstall;
        var seenAt = sentFor - seenAgo;
        var nextLook = status is null || seenAt < expected.Min ? expected.Min - seenAt : expected.LatePoll;
        if (seenAgo < nextLook)
        {
            return new StepDecision.Wait(nextLook - seenAgo, $"waiting for {document} ({status ?? "sent"})");
        }
        return new StepDecision.Act(new PlanCall("ssm:GetCommandInvocation", $"status of {document} on {rescue}", async ct =>
        {
            var invocation = await ssm.GetCommandInvocationAsync(commandId, rescue, ct);
            var memo = Observation.Of(OfflineMemo.RepairStatus, invocation?.Status ?? "unknown", time.GetUtcNow());
            if (invocation is { IsFinal: true })
            {
                var judgement = FallbackPlan.JudgeInstall(invocation);
                memo = memo.Add(OfflineMemo.RepairReason, judgement.Reason).Add(OfflineMemo.RepairPassed, judgement.Passed ? "true" : "false");
            }
            return memo;
        }), $"waiting for {document}");
    }
}
