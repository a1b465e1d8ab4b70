using EnaRemediate.Core.Engine;
using System.Text.Json;

namespace EnaRemediate.Functions.Intake;

/// <summary>
/// Turns any trigger into an <see cref="IntakeDecision"/>, without calling anything: EventBridge
/// "CloudWatch Alarm State Change" events, SNS-wrapped alarm notifications, direct alarm → Lambda
/// actions (alarmData), console test events and the EnaRemediate-Recover runbook's payload.
/// Anything else, or anything malformed, is rejected with a reason; it never throws.
/// </summary>
public sealed class TriggerNormaliser(RemediationMode defaultMode)
{
    public const string RunbookSource = "enaremediate.runbook";
    private static readonly JsonDocumentOptions Parsing = new() { MaxDepth = 32 };

    public IntakeDecision Normalise(string payload)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(payload, Parsing); }
        catch (JsonException e) { return IntakeDecision.Reject($"The event is not valid JSON ({e.Message})."); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return IntakeDecision.Reject($"The event must be a JSON object, not {root.ValueKind}.");
            if (Text(root, "detail-type") == "CloudWatch Alarm State Change")
                return FromAlarmObject(Member(root, "detail"), "eventbridge");
            if (root.TryGetProperty("alarmData", out var alarmData))
                return FromAlarmObject(alarmData, "alarm-action");
            if (root.TryGetProperty("Records", out var records))
                return SnsAlarmNotifications.Normalise(records, this);
            if (root.TryGetProperty("instanceIds", out _))
                return ExplicitRequest.Normalise(root, defaultMode);
            return IntakeDecision.Reject("Unrecognised event: expected a CloudWatch alarm (EventBridge, SNS or alarm action), " +
                "or {\"instanceIds\":[\"i-…\"],\"mode\":\"diagnose|remediate\",\"dryRun\":true}.");
        }
    }

    /// <summary>EventBridge's detail and the alarm action's alarmData share one shape.</summary>
    private IntakeDecision FromAlarmObject(JsonElement? alarm, string via)
    {
        if (alarm is not { ValueKind: JsonValueKind.Object } a)
            return IntakeDecision.Reject($"The {via} alarm event has no alarm object.");
        var name = Text(a, "alarmName");
        var state = Member(a, "state") is { ValueKind: JsonValueKind.Object } s ? Text(s, "value") : null;
        var metrics = new List<AlarmMetric>();
        if (Member(a, "configuration") is { ValueKind: JsonValueKind.Object } configuration
            && Member(configuration, "metrics") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var m in list.EnumerateArray())
            {
                if (m.ValueKind != JsonValueKind.Object) continue;
                if (Member(m, "metricStat") is not { ValueKind: JsonValueKind.Object } stat) continue;
                if (Member(stat, "metric") is not { ValueKind: JsonValueKind.Object } metric) continue;
                var dimensions = Member(metric, "dimensions") is { ValueKind: JsonValueKind.Object } d ? Text(d, "InstanceId") : null;
                metrics.Add(new AlarmMetric(Text(metric, "namespace"), Text(metric, "name"), dimensions));
            }
        }
        return AlarmRule.Decide(new AlarmFacts(name, state, metrics, via), defaultMode);
    }

    internal static JsonElement? Member(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    internal static string? Text(JsonElement element, string name) =>
        Member(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    internal RemediationMode DefaultMode => defaultMode;
}
