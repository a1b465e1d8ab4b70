using EnaRemediate.Core.Engine;
using System.Text.Json;

namespace EnaRemediate.Functions.Intake;

/// <summary>
/// Turns any trigger into an <see cref="IntakeDecision"/>, without calling anything: EventBridge
/// "CloudWatch Alarm State Change" events (also with the alarm action's alarmData inside detail),
/// SNS-wrapped alarm notifications, direct alarm → Lambda actions (alarmData), console test events
/// and the EnaRemediate-Recover runbook's payload. Other EventBridge events (alarm configuration
/// changes, EC2 state changes, AWS Health) are ignored with a reason; an alarm from another Region
/// than <paramref name="region"/> is rejected. Anything else, or anything malformed, is rejected
/// with a reason; it never throws, whatever the string.
/// </summary>
public sealed class TriggerNormaliser(RemediationMode defaultMode, string? region = null)
{
    public const string RunbookSource = "enaremediate.runbook";
    private const string AlarmStateChange = "CloudWatch Alarm State Change";
    private static readonly JsonDocumentOptions Parsing = new() { MaxDepth = 32 };

    public IntakeDecision Normalise(string payload)
    {
        try
        {
            return NormaliseJson(payload);
        }
        // Text that is not valid UTF-16 (a lone surrogate, raw or escaped) fails inside the parser or GetString.
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            return IntakeDecision.Reject("The event holds text that is not valid Unicode (a lone surrogate, raw or escaped); nothing was done.");
        }
    }

    private IntakeDecision NormaliseJson(string payload)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(payload ?? "", Parsing); }
        catch (JsonException e) { return IntakeDecision.Reject($"The event is not valid JSON ({e.Message})."); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return IntakeDecision.Reject($"The event must be a JSON object, not {root.ValueKind}.");
            if (Text(root, "detail-type") is { } detailType)
                return FromEventBridge(root, detailType);
            if (root.TryGetProperty("alarmData", out var alarmData))
                return FromRegion(root, "alarm-action") ?? FromAlarmObject(alarmData, "alarm-action");
            if (root.TryGetProperty("Records", out var records))
                return SnsAlarmNotifications.Normalise(records, this);
            if (root.TryGetProperty("instanceIds", out _))
                return ExplicitRequest.Normalise(root, defaultMode);
            return IntakeDecision.Reject("Unrecognised event: expected a CloudWatch alarm (EventBridge, SNS or alarm action), " +
                "or {\"instanceIds\":[\"i-…\"],\"mode\":\"diagnose|remediate\",\"dryRun\":true}.");
        }
    }

    /// <summary>An alarm state change (its detail, or the alarmData an alarm action put inside it); any other EventBridge event is not ours to act on.</summary>
    private IntakeDecision FromEventBridge(JsonElement root, string detailType)
    {
        var detail = Member(root, "detail");
        if (detail is { ValueKind: JsonValueKind.Object } d && Member(d, "alarmData") is { } inner)
            return FromRegion(root, "eventbridge") ?? FromAlarmObject(inner, "eventbridge");
        if (detailType == AlarmStateChange)
            return FromRegion(root, "eventbridge") ?? FromAlarmObject(detail, "eventbridge");
        var source = InstanceIds.Quote(Text(root, "source"));
        return IntakeDecision.Ignore(detailType switch
        {
            "CloudWatch Alarm Configuration Change" => $"An alarm configuration change (from {source}) is not an alarm going off; nothing to do.",
            "EC2 Instance State-change Notification" => $"An EC2 instance state change (from {source}) is not an impaired status check; nothing to do.",
            "AWS Health Event" => $"An AWS Health event (from {source}) is AWS's own scheduled or service event, not an ENA driver failure; nothing to do.",
            _ => $"The EventBridge event {InstanceIds.Quote(detailType)} from {source} is not a CloudWatch alarm state change; nothing to do.",
        });
    }

    /// <summary>A rejection when the event names a Region other than this deployment's (its instances are not reachable from here); null otherwise.</summary>
    private IntakeDecision? FromRegion(JsonElement root, string via)
    {
        var eventRegion = Text(root, "region")
            ?? ArnRegion(Text(root, "alarmArn"))
            ?? (Member(root, "resources") is { ValueKind: JsonValueKind.Array } resources
                ? resources.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.String ? ArnRegion(r.GetString()) : null).FirstOrDefault(r => r is not null)
                : null);
        return OtherRegion(eventRegion, via);
    }

    internal IntakeDecision? OtherRegion(string? eventRegion, string via) =>
        region is null || eventRegion is null || string.Equals(eventRegion, region, StringComparison.Ordinal)
            ? null
            : IntakeDecision.Reject($"The {via} alarm is from Region {InstanceIds.Quote(eventRegion)} but this deployment runs in {region}: it cannot see or change instances there; nothing was done.");

    /// <summary>The Region of an ARN (arn:partition:service:region:account:resource); null when it is not one.</summary>
    internal static string? ArnRegion(string? arn)
    {
        var parts = arn?.Split(':');
        return parts is { Length: >= 6 } && parts[0] == "arn" && parts[3].Length > 0 ? parts[3] : null;
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
