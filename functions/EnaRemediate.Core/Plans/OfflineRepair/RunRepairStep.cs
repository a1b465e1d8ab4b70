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
/// While it runs, its invocation on the rescue is followed with the fleet's other commands (one
/// listing of the document for all repairs under way), not with a GetCommandInvocation of its own.
/// </summary>
public sealed class RunRepairStep(ISsmPort ssm) : IPlanStep
{
    public string Name => "run-repair";
    public IReadOnlyList<string> Permissions { get; } = ["ssm:SendCommand", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "stopped" };
    public EngineAction? PlannedAction(EngineOptions options) => PlanCall.Planned("ssm:SendCommand", $"{options.Nitro.OfflineRepairDocument} on the rescue instance (chroot install for every kernel on the volume)");

    /// <summary>The instance is stopped throughout: its status checks and agent say nothing here.</summary>
    public bool ObservesHealth(RemediationRecord record) => false;

    /// <summary>Sending reads the instance (still stopped); waiting reads only the invocation.</summary>
    public bool ObservesInstance(RemediationRecord record) => !record.Memo.ContainsKey(OfflineMemo.RepairCommandId);

    /// <summary>The repair runs on the rescue, not on the instance the record acts on.</summary>
    public AwaitedCommand? AwaitsCommand(RemediationRecord record) =>
        record.Memo.TryGetValue(OfflineMemo.RepairCommandId, out var id) && record.Memo.TryGetValue(OfflineMemo.RescueId, out var rescue)
            ? new AwaitedCommand(id, rescue, record.Memo.GetValueOrDefault(OfflineMemo.RepairDocument))
            : null;

    public StepDecision Decide(StepContext context)
    {
        var rescue = context.Memo(OfflineMemo.RescueId)!;
        var document = context.Options.Nitro.OfflineRepairDocument;
        if (context.Memo(OfflineMemo.RepairCommandId) is null)
        {
            var parameters = context.Options.InstallParameters.ToDictionary(p => p.Key, p => p.Value);
            parameters["TargetDevice"] = [context.Memo(OfflineMemo.RescueDevice)!];
            var send = new PlanCall("ssm:SendCommand", $"{document} on {rescue}", async ct =>
                ImmutableDictionary<string, string>.Empty
                    .Add(OfflineMemo.RepairCommandId, await ssm.SendCommandAsync(document, [rescue], parameters, $"EnaRemediate offline repair of {context.Record.InstanceId}", ct))
                    .Add(OfflineMemo.RepairDocument, document));
            return new StepDecision.Act(send, $"running {document} on the rescue {rescue}",
                Memo: context.Memo(OfflineMemo.RepairSentAt) is null ? ImmutableDictionary<string, string>.Empty.Add(OfflineMemo.RepairSentAt, context.Now.ToString("O")) : null);
        }
        // A record an earlier version judged (it kept the verdict in the memo and moved on at its next look).
        if (context.Memo(OfflineMemo.RepairPassed) == "true")
        {
            return new StepDecision.Next("repaired");
        }
        if (context.Invocation is { IsFinal: true } invocation)
        {
            var judgement = FallbackPlan.JudgeInstall(invocation);
            return judgement.Passed
                ? new StepDecision.Next(judgement.Reason, ImmutableDictionary<string, string>.Empty.Add(OfflineMemo.RepairPassed, "true"))
                : new StepDecision.Fail($"{document}: {judgement.Reason}");
        }
        if (context.InStepFor > context.Options.CommandTimeout)
        {
            return new StepDecision.Fail($"{document} did not finish within {context.Options.CommandTimeout.TotalMinutes:0} minutes");
        }
        // The first look comes when the fastest chroot DKMS build would be done, then the shared polls.
        var sentFor = context.Now - (context.MemoTime(OfflineMemo.RepairSentAt) ?? context.StepStartedAt);
        return new StepDecision.Wait(ExpectedLatencies.DriverInstall.NextLook(sentFor), $"waiting for {document} ({context.Invocation?.Status ?? "sent"})");
    }
}
