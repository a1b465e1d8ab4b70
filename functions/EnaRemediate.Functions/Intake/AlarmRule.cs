using EnaRemediate.Core.Engine;
namespace EnaRemediate.Functions.Intake;

/// <summary>One metric an alarm watches (metric-math and composite alarms have none of these).</summary>
public sealed record AlarmMetric(string? Namespace, string? Name, string? InstanceId);

/// <summary>The parts of any alarm notification that decide whether to act.</summary>
public sealed record AlarmFacts(string? AlarmName, string? State, IReadOnlyList<AlarmMetric> Metrics, string Via);

/// <summary>
/// Which alarms start a remediation: ALARM state on an AWS/EC2 instance status-check metric
/// with an InstanceId dimension. A system check failure is EC2 auto-recovery's job, not ours.
/// </summary>
public static class AlarmRule
{
    public static IntakeDecision Decide(AlarmFacts alarm, RemediationMode mode)
    {
        var name = InstanceIds.Quote(alarm.AlarmName);
        if (alarm.State is null)
            return IntakeDecision.Reject($"Alarm {name} ({alarm.Via}) carries no state value.");
        if (alarm.State != "ALARM")
            return IntakeDecision.Ignore($"Alarm {name} changed to {InstanceIds.Quote(alarm.State)}; only ALARM starts a remediation.");

        var statusChecks = alarm.Metrics
            .Where(m => m.Namespace == "AWS/EC2" && m.Name is "StatusCheckFailed" or "StatusCheckFailed_Instance")
            .ToList();
        if (statusChecks.Count == 0)
        {
            if (alarm.Metrics.Any(m => m.Namespace == "AWS/EC2" && m.Name == "StatusCheckFailed_System"))
                return IntakeDecision.Ignore($"Alarm {name} watches the system status check; EC2 auto-recovery handles that, not an ENA driver fix.");
            return IntakeDecision.Ignore($"Alarm {name} does not watch an EC2 instance status check (StatusCheckFailed or StatusCheckFailed_Instance).");
        }

        var ids = statusChecks.Select(m => m.InstanceId).Distinct().ToList();
        var bad = ids.FirstOrDefault(id => !InstanceIds.IsValid(id));
        if (ids.Count == 0 || bad is not null || ids.Contains(null))
            return IntakeDecision.Reject($"Alarm {name} has no valid InstanceId dimension (got {InstanceIds.Quote(bad)}).");

        var request = new RemediationRequest(ids!, mode, DryRun: false, Trigger: "alarm", TriggerDetail: $"{alarm.Via}:{alarm.AlarmName}");
        return IntakeDecision.Accept(request, $"Alarm {name} is in ALARM for {string.Join(", ", ids)}.");
    }
}
