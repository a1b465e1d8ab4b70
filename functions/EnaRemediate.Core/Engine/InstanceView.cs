using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// What a read-only view (`plan`, the diagnose function) tells an operator about one instance,
/// from the facts triage already gathered: both status checks, the SSM agent's ping, and either
/// "healthy: nothing to do" or the route remediation would take (or its refusal and why).
/// </summary>
/// <param name="Route">fallback, type-swap, offline-repair, reregister-ami, diagnose-only, "refused", or "none" when healthy.</param>
/// <param name="Verdict">the headline: "healthy: nothing to do", "would run PLAN" or "refused (CODE)".</param>
/// <param name="Reason">why, in plain words; for a healthy instance what was observed, never a repair it does not need.</param>
/// <param name="IfBroken">for a healthy instance: what remediation would say were it broken (the route and its limits).</param>
public sealed record InstanceView(
    string InstanceId,
    string State,
    string SystemCheck,
    string InstanceCheck,
    string SsmPing,
    bool Healthy,
    string Route,
    string Verdict,
    string? RefusalCode,
    string? Reason,
    string? IfBroken)
{
    public const string HealthyVerdict = "healthy: nothing to do";

    /// <summary>The checks as one line: "system check ok, instance check impaired, SSM ping ConnectionLost".</summary>
    public string Checks => $"system check {SystemCheck}, instance check {InstanceCheck}, SSM ping {SsmPing}";

    public static InstanceView Of(InstancePlan plan)
    {
        var (triage, facts) = (plan.Triage, plan.Facts);
        var state = facts?.State ?? "not-found";
        var ping = facts?.SsmPingStatus ?? (state == "running" ? "none (not registered with SSM)" : $"not asked ({state})");
        var healthy = IsHealthy(plan);
        var route = healthy ? "none" : triage.Refused ? PlanNames.Refused : triage.Plan;
        var verdict = healthy ? HealthyVerdict : triage.Refused ? $"refused ({triage.RefusalCode})" : $"would run {triage.Plan}";
        var reason = healthy && triage.RefusalCode != RefusalCodes.NotImpaired
            ? "Nothing observed broken: both status checks are ok and the SSM agent is Online."
            : triage.Reason;
        var ifBroken = !healthy ? null
            : triage.RefusalCode == RefusalCodes.NotImpaired ? $"would run {triage.Plan}"
            : triage.Plan == PlanNames.Refused ? $"refused ({triage.RefusalCode}): {triage.Reason}"
            : $"would run {triage.Plan}, but refused ({triage.RefusalCode}): {triage.Reason}";
        return new InstanceView(triage.InstanceId, state, facts?.Status?.SystemStatus ?? "unknown", facts?.Status?.InstanceStatus ?? "unknown", ping,
            healthy, route, verdict, healthy ? null : triage.RefusalCode, reason, ifBroken);
    }

    /// <summary>
    /// Nothing to do: admission found nothing broken, or the instance is running with both checks ok
    /// and SSM Online and triage would not act anyway (another refusal, such as a route it lacks).
    /// A running remediation is never "nothing to do".
    /// </summary>
    private static bool IsHealthy(InstancePlan plan) =>
        plan.Triage.RefusalCode == RefusalCodes.NotImpaired
        || (plan.Facts?.IsHealthyAndManaged == true && plan.Triage.Refused && plan.Triage.RefusalCode != RefusalCodes.AlreadyRemediating);
}
