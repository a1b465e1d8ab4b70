using EnaRemediate.Core.Engine;
using System.Text.Json;

namespace EnaRemediate.Functions.Intake;

/// <summary>
/// A request that names its instances: a console test event
/// <c>{"instanceIds":["i-…"],"mode":"diagnose|remediate","dryRun":true}</c>, or the
/// EnaRemediate-Recover runbook's payload (source enaremediate.runbook, instanceIds as the
/// runbook's comma-separated String parameter, dryRun as the rendered Boolean). <c>"force": true</c>
/// remediates even an instance not observed broken or in its cool-down (recorded as forced).
/// </summary>
internal static class ExplicitRequest
{
    public static IntakeDecision Normalise(JsonElement root, RemediationMode defaultMode)
    {
        var fromRunbook = TriggerNormaliser.Text(root, "source") == TriggerNormaliser.RunbookSource;
        var ids = new List<string>();
        switch (root.GetProperty("instanceIds"))
        {
            case { ValueKind: JsonValueKind.Array } array:
                foreach (var item in array.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                        return IntakeDecision.Reject($"instanceIds must hold strings; found {item.ValueKind}.");
                    ids.Add(item.GetString()!.Trim());
                }
                break;
            case { ValueKind: JsonValueKind.String } text:
                ids.AddRange(text.GetString()!.Split([',', ' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                break;
            default:
                return IntakeDecision.Reject("instanceIds must be a list of instance ids, e.g. [\"i-0123456789abcdef0\"].");
        }
        if (ids.Count == 0) return IntakeDecision.Reject("instanceIds is empty; name at least one instance.");
        ids = ids.Distinct().ToList();
        if (ids.Count > InstanceIds.MaxPerRequest)
            return IntakeDecision.Reject($"{ids.Count} instances requested; at most {InstanceIds.MaxPerRequest} per request (one workflow's records). Nothing was started: split the list into requests of at most {InstanceIds.MaxPerRequest}.");
        var bad = ids.FirstOrDefault(id => !InstanceIds.IsValid(id));
        if (bad is not null)
            return IntakeDecision.Reject($"{InstanceIds.Quote(bad)} is not an EC2 instance id (i- followed by 8 or 17 hex digits).");

        RemediationMode mode;
        switch (TriggerNormaliser.Member(root, "mode"))
        {
            case null or { ValueKind: JsonValueKind.Null }: mode = defaultMode; break;
            case { ValueKind: JsonValueKind.String } m when string.Equals(m.GetString(), "diagnose", StringComparison.OrdinalIgnoreCase): mode = RemediationMode.Diagnose; break;
            case { ValueKind: JsonValueKind.String } m when string.Equals(m.GetString(), "remediate", StringComparison.OrdinalIgnoreCase): mode = RemediationMode.Remediate; break;
            case var other: return IntakeDecision.Reject($"mode must be \"diagnose\" or \"remediate\", not {InstanceIds.Quote(other.Value.ToString())}.");
        }

        var (dryRun, dryRunError) = Flag(root, "dryRun");
        if (dryRunError is not null) return IntakeDecision.Reject(dryRunError);
        var (force, forceError) = Flag(root, "force");
        if (forceError is not null) return IntakeDecision.Reject(forceError);
        // The operator's consent to move InService Auto Scaling members to Standby and back (the CLI's --asg-standby).
        var (asgStandby, standbyError) = Flag(root, "asgStandby");
        if (standbyError is not null) return IntakeDecision.Reject(standbyError);
        // An ENA-required type's route (type-swap | offline-repair), the operator's override of triage; empty = let the facts choose.
        string? route;
        switch (TriggerNormaliser.Member(root, "route"))
        {
            case null or { ValueKind: JsonValueKind.Null }: route = null; break;
            case { ValueKind: JsonValueKind.String } r when r.GetString() is "" : route = null; break;
            case { ValueKind: JsonValueKind.String } r when r.GetString() is "type-swap" or "offline-repair": route = r.GetString(); break;
            case var other: return IntakeDecision.Reject($"route must be \"type-swap\" or \"offline-repair\", not {InstanceIds.Quote(other.Value.ToString())}.");
        }

        var trigger = fromRunbook ? "runbook" : "console";
        var detail = fromRunbook ? TriggerNormaliser.Text(root, "automationExecutionId") : null;
        var request = new RemediationRequest(ids, mode, dryRun, trigger, detail)
        {
            Force = force,
            PlanOptions = RemediationService.OperatorOptions(route, asgStandby),
        };
        return IntakeDecision.Accept(request, $"{trigger} request: {mode.ToString().ToLowerInvariant()}{(dryRun ? " (dry run)" : "")}{(force ? " (forced)" : "")}{(route is null ? "" : $" by {route}")} for {InstanceIds.Listed(ids)}.");
    }

    /// <summary>A boolean member: absent or null is false; true/false, or the runbook's rendered "true"/"false".</summary>
    private static (bool Value, string? Error) Flag(JsonElement root, string name) => TriggerNormaliser.Member(root, name) switch
    {
        null or { ValueKind: JsonValueKind.Null } => (false, null),
        { ValueKind: JsonValueKind.True } => (true, null),
        { ValueKind: JsonValueKind.False } => (false, null),
        { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out var parsed) => (parsed, null),
        var other => (false, $"{name} must be true or false, not {InstanceIds.Quote(other.Value.ToString())}."),
    };
}
