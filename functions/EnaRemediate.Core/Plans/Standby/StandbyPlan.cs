using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Plans.Standby;

/// <summary>
/// A plan that stops instances, made safe for InService Auto Scaling members whose operator
/// consented (memo option.asgStandby): first EnterStandby, its undo (ExitStandby) recorded before
/// the call; then the plan's own steps; and whenever the plan or its rollback would finish, ExitStandby
/// first, so the member ends InService whatever the outcome. Members found in Standby stay there.
/// For everyone else each added decision is "go on": the plan behaves exactly as before.
/// </summary>
public sealed class StandbyPlan : IRemediationPlan
{
    public const string UndoExitStandby = "exit-standby";
    public const string ExitedMemo = "asg.standby.exited";

    public StandbyPlan(IRemediationPlan inner, IAutoScalingPort autoScaling)
    {
        Name = inner.Name;
        Steps = [new EnterStandbyStep(autoScaling), .. inner.Steps.Select(s => (IPlanStep)new ExitStandbyBeforeFinish(s, autoScaling, isRollback: false))];
        Rollback = inner.Rollback is null ? null : new ExitStandbyBeforeFinish(inner.Rollback, autoScaling, isRollback: true);
    }

    public string Name { get; }
    public IReadOnlyList<IPlanStep> Steps { get; }
    public IPlanStep? Rollback { get; }

    private static bool Consented(StepContext context) =>
        context.Memo("option." + AutoScalingRule.ConsentOption) == "true";

    private sealed class EnterStandbyStep(IAutoScalingPort autoScaling) : IPlanStep
    {
        public string Name => "enter-standby";
        public IReadOnlyList<string> Permissions { get; } = ["autoscaling:EnterStandby"];
        public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "running", "stopped" };
        public EngineAction? PlannedAction(EngineOptions options) => null;

        public StepDecision Decide(StepContext context)
        {
            var member = context.Facts.AutoScaling;
            if (member is null || !Consented(context) || member.LifecycleState == AutoScalingMembership.Standby)
            {
                return new StepDecision.Next(member is null ? "not an Auto Scaling member" : $"in Standby in {member.GroupName}");
            }
            if (member.LifecycleState != AutoScalingMembership.InService)
            {
                return new StepDecision.Fail($"the instance is {member.LifecycleState} in Auto Scaling group {member.GroupName}, not InService");
            }
            var undo = new UndoEntry(UndoExitStandby, $"the instance was InService in Auto Scaling group {member.GroupName}: take it out of Standby",
                ImmutableDictionary<string, string>.Empty.Add("group", member.GroupName), context.Now);
            var recorded = context.Record.UndoLog.Any(u => u.Action == UndoExitStandby);
            return new StepDecision.Act(new StandbyAction(autoScaling, member.GroupName, context.Record.InstanceId, Enter: true),
                $"moving the instance to Standby in {member.GroupName} (desired capacity lowered)", recorded ? null : undo);
        }
    }

    /// <summary>
    /// Wraps a step: a Finish waits for ExitStandby when this remediation put the member in Standby.
    /// A rollback whose undo log holds only the Standby entry (EnterStandby was tried, nothing else
    /// changed) must not run the inner rollback, which would stop the instance to undo changes never made.
    /// </summary>
    private sealed class ExitStandbyBeforeFinish(IPlanStep inner, IAutoScalingPort autoScaling, bool isRollback) : IPlanStep
    {
        public string Name => inner.Name;
        public IReadOnlyList<string> Permissions { get; } = [.. inner.Permissions, "autoscaling:ExitStandby"];
        public IReadOnlySet<string> ValidOriginStates => inner.ValidOriginStates;
        public EngineAction? PlannedAction(EngineOptions options) => inner.PlannedAction(options);
        public bool ObservesHealth(RemediationRecord record) => inner.ObservesHealth(record);
        public bool ObservesPingOnlyWhenChecksOk(RemediationRecord record) => inner.ObservesPingOnlyWhenChecksOk(record);
        public bool ObservesOnlyWhetherOnline(RemediationRecord record, TimeSpan inStep, EngineOptions options) => inner.ObservesOnlyWhetherOnline(record, inStep, options);
        public bool ObservesInstance(RemediationRecord record) => inner.ObservesInstance(record);

        /// <summary>Once this remediation put the member in Standby, a Finish reads its membership, which comes with the description.</summary>
        public bool ObservesAttributes(RemediationRecord record) => record.UndoLog.Any(u => u.Action == UndoExitStandby) || inner.ObservesAttributes(record);
        public AwaitedCommand? AwaitsCommand(RemediationRecord record) => inner.AwaitsCommand(record);

        public StepDecision Decide(StepContext context)
        {
            var onlyStandbyChanged = isRollback && context.Record.UndoLog.All(u => u.Action == UndoExitStandby);
            var decision = onlyStandbyChanged
                ? new StepDecision.Finish(Outcomes.Failed, $"{context.Memo(MemoKeys.FailureReason) ?? "the remediation failed"}; nothing had been changed on the instance")
                : inner.Decide(context);
            if (decision is not StepDecision.Finish finish
                || context.Record.UndoLog.FirstOrDefault(u => u.Action == UndoExitStandby) is not { } undo
                || context.Memo(ExitedMemo) is not null)
            {
                return decision;
            }
            var group = undo.Parameters["group"];
            if (context.Record.Attempts >= 2 * context.Options.MaxAttempts)
            {
                return finish with { Outcome = Outcomes.Failed, Reason = $"{finish.Reason}; the instance could not be taken out of Standby in {group} ({context.Record.LastEvent()}): run aws autoscaling exit-standby" };
            }
            return context.Facts.AutoScaling?.LifecycleState switch
            {
                AutoScalingMembership.Standby => new StepDecision.Act(new StandbyAction(autoScaling, group, context.Record.InstanceId, Enter: false),
                    $"taking the instance out of Standby in {group}"),
                // Pending after ExitStandby: InService follows; anything else (no longer a member) has nothing left to undo.
                "Pending" => new StepDecision.Wait(TimeSpan.FromSeconds(10), $"waiting for {group} to take the instance back"),
                _ => finish with { Memo = (finish.Memo ?? ImmutableDictionary<string, string>.Empty).SetItem(ExitedMemo, context.Now.ToString("O")) },
            };
        }
    }
}
