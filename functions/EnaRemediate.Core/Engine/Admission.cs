using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// What every trigger (alarm, console, runbook, CLI, sweep) must pass before a plan that stops the
/// instance may start, unless the request is forced: the instance is observed broken now (its
/// instance status check impaired, or its SSM agent not Online), and no remediation of it finished
/// within the cool-down. Plans that never stop the instance (an AMI re-registration) are exempt:
/// they cause no outage.
/// </summary>
internal static class Admission
{
    /// <summary>Outcomes of a remediation that acted; refusals, dry runs and diagnoses start no cool-down.</summary>
    private static readonly HashSet<string> ActedOutcomes = new(StringComparer.Ordinal)
    {
        Outcomes.Recovered, Outcomes.RolledBack, Outcomes.Failed, Outcomes.Escalated,
    };

    /// <summary>The plan stops the instance at some step: an outage, so it needs a reason.</summary>
    public static bool Disrupts(IRemediationPlan plan) => plan.Steps.Any(s => s.Permissions.Contains("ec2:StopInstances"));

    /// <summary>A refusal when nothing observed says the instance is broken; null when something does.</summary>
    public static TriageResult? NotObservedBroken(InstanceFacts facts, string plan)
    {
        // Stopped (or on its way) it answers no one over SSM: that is the breakage to repair, and it ends stopped again.
        if (facts.State is "stopped" or "stopping")
        {
            return null;
        }
        var instanceCheck = facts.Status?.InstanceStatus;
        if (instanceCheck == "impaired" || facts.SsmPingStatus != "Online")
        {
            return null;
        }
        return TriageResult.Refuse(facts.InstanceId, plan, RefusalCodes.NotImpaired,
            $"Nothing observed broken: the instance status check is {instanceCheck ?? "unknown"} and the SSM agent is Online, so remediating would only cause an outage; nothing was changed. Force it (--force, or \"force\": true) to remediate anyway.");
    }

    /// <summary>A refusal when a remediation of the instance finished within the cool-down; null otherwise.</summary>
    public static TriageResult? InCooldown(IReadOnlyList<RemediationRecord> history, string instanceId, string plan, TimeSpan cooldown, DateTimeOffset now)
    {
        var last = history.Where(r => r.IsFinished && !r.DryRun && ActedOutcomes.Contains(r.Outcome!)).MaxBy(r => r.UpdatedAt);
        // A type swap that rolled back hands over to the next route it named (offline repair): that retry is the
        // way forward the record told the operator to take, not a repeat of what just failed.
        if (last is null || now - last.UpdatedAt >= cooldown || last.Memo.GetValueOrDefault(Plans.TypeSwap.TypeSwapMemo.NextRoute) == plan)
        {
            return null;
        }
        return TriageResult.Refuse(instanceId, plan, RefusalCodes.Cooldown,
            $"A remediation of this instance ({last.RemediationId}) ended {last.Outcome} at {last.UpdatedAt:u}; another waits until {last.UpdatedAt + cooldown:u} (cool-down {cooldown.TotalHours:0.#} h) unless forced; nothing was changed.");
    }
}
