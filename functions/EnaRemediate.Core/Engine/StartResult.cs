using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Engine;

/// <summary>The answer of <see cref="RemediationService.StartAsync"/>: one entry per requested instance.</summary>
public sealed record StartResult(IReadOnlyList<StartedInstance> Instances)
{
    /// <summary>The records an Advance loop should drive (created, unfinished).</summary>
    public IReadOnlyList<string> RemediationIds => Instances.Where(i => i.RemediationId is not null && i.Outcome is null).Select(i => i.RemediationId!).ToList();
}

/// <summary>One instance of a start: the record created (null when refused or already running elsewhere), the plan, and why.</summary>
/// <remarks><see cref="Outcome"/> is set when the record was created already finished: refused, or a dry run.</remarks>
public sealed record StartedInstance(string InstanceId, string? RemediationId, string Plan, string? RefusalCode, string? Reason, IReadOnlyList<PlannedCall> PlannedCalls, string? Outcome)
{
    public static StartedInstance From(TriageResult triage, RemediationRecord? record, IReadOnlyList<PlannedCall> calls) =>
        new(triage.InstanceId, record?.RemediationId, triage.Plan, triage.RefusalCode, triage.Reason, calls, record?.Outcome ?? (triage.Refused ? Outcomes.Refused : null));
}

/// <summary>The answer of <see cref="RemediationService.PlanAsync"/> for one instance.</summary>
public sealed record InstancePlan(TriageResult Triage, InstanceFacts? Facts, IReadOnlyList<PlannedCall> PlannedCalls);

/// <summary>One call a plan would make, as a person reads it, and what a dry run found out about it (null outside a dry run).</summary>
public sealed record PlannedCall(string AwsAction, string Description, string? DryRunCheck)
{
    internal EngineAction? Action { get; init; }

    /// <summary>The dry run's finding as one of <see cref="DryRunVerdicts"/>; <see cref="DryRunCheck"/> says it for people.</summary>
    public string? DryRunVerdict { get; init; }

    public override string ToString() => DryRunCheck is null ? Description : $"{Description} [{DryRunCheck}]";

    internal static PlannedCall For(EngineAction action, string instanceId) => new(action.AwsAction, action switch
    {
        StopAction => $"StopInstances {instanceId}",
        StartAction => $"StartInstances {instanceId}",
        SetEnaSupportAction ena => $"ModifyInstanceAttribute {instanceId} EnaSupport={(ena.Enabled ? "true" : "false")}",
        SendCommandAction send => $"SendCommand {send.DocumentName} to {instanceId}",
        PlanOwnedAction own => own.ToString() ?? action.AwsAction,
        _ => action.AwsAction,
    }, null) { Action = action };
}
