using EnaRemediate.Core.Engine;
using System.Text.Json;

namespace EnaRemediate.Functions.Intake;

/// <summary>
/// An alarm whose action is an SNS topic, delivered to Lambda by the topic: Records[].Sns.Message is
/// the alarm as a JSON *string* (AlarmName, NewStateValue, Trigger.Namespace/MetricName and
/// Trigger.Dimensions as a list of {name,value}; or, for an alarm defined with Metrics (metric math,
/// CDK and CloudFormation Metrics), Trigger.Metrics[].MetricStat.Metric with the same three).
/// </summary>
internal static class SnsAlarmNotifications
{
    public static IntakeDecision Normalise(JsonElement records, TriggerNormaliser normaliser)
    {
        if (records.ValueKind != JsonValueKind.Array || records.GetArrayLength() == 0)
            return IntakeDecision.Reject("Records must be a non-empty array of SNS records.");

        var decisions = records.EnumerateArray().Select(r => One(r, normaliser)).ToList();
        var accepted = decisions.Where(d => d.Outcome == IntakeOutcome.Accepted).Select(d => d.Request!).ToList();
        if (accepted.Count == 0) return decisions[0];
        var ids = accepted.SelectMany(r => r.InstanceIds).Distinct().ToList();
        if (ids.Count > InstanceIds.MaxPerRequest)
            return IntakeDecision.Reject($"The notifications name {ids.Count} instances; at most {InstanceIds.MaxPerRequest} per request (one workflow's records). Nothing was started.");
        // Both ride along with every record and the workflow's state: a few named, the rest counted.
        var alarms = accepted.Select(r => r.TriggerDetail ?? "").Distinct().ToList();
        var merged = accepted[0] with { InstanceIds = ids, TriggerDetail = InstanceIds.Listed(alarms, ",", "alarms") };
        return IntakeDecision.Accept(merged, InstanceIds.Listed(decisions.Select(d => d.Reason).ToList(), " ", "notifications"));
    }

    private static IntakeDecision One(JsonElement record, TriggerNormaliser normaliser)
    {
        var mode = normaliser.DefaultMode;
        if (TriggerNormaliser.Text(record, "EventSource") != "aws:sns"
            || TriggerNormaliser.Member(record, "Sns") is not { ValueKind: JsonValueKind.Object } sns)
            return IntakeDecision.Reject("A record is not an SNS notification (EventSource aws:sns with an Sns object).");
        var message = TriggerNormaliser.Text(sns, "Message");
        if (message is null) return IntakeDecision.Reject("The SNS record has no Message string.");

        JsonDocument alarm;
        try { alarm = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 32 }); }
        catch (JsonException) { return IntakeDecision.Ignore("The SNS message is not JSON, so it is not a CloudWatch alarm notification."); }
        using (alarm)
        {
            var root = alarm.RootElement;
            if (root.ValueKind != JsonValueKind.Object || TriggerNormaliser.Text(root, "AlarmName") is null)
                return IntakeDecision.Ignore("The SNS message is not a CloudWatch alarm notification (no AlarmName).");
            if (normaliser.OtherRegion(TriggerNormaliser.ArnRegion(TriggerNormaliser.Text(root, "AlarmArn")), "sns") is { } elsewhere)
                return elsewhere;
            var metrics = TriggerNormaliser.Member(root, "Trigger") is { ValueKind: JsonValueKind.Object } trigger ? Metrics(trigger) : [];
            var facts = new AlarmFacts(TriggerNormaliser.Text(root, "AlarmName"), TriggerNormaliser.Text(root, "NewStateValue"), metrics, "sns");
            return AlarmRule.Decide(facts, mode);
        }
    }

    /// <summary>The single metric of a classic alarm, or every MetricStat of a Metrics alarm.</summary>
    private static List<AlarmMetric> Metrics(JsonElement trigger)
    {
        var metrics = new List<AlarmMetric>();
        if (TriggerNormaliser.Text(trigger, "MetricName") is not null)
            metrics.Add(Metric(trigger));
        if (TriggerNormaliser.Member(trigger, "Metrics") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var query in list.EnumerateArray())
            {
                if (TriggerNormaliser.Member(query, "MetricStat") is { ValueKind: JsonValueKind.Object } stat
                    && TriggerNormaliser.Member(stat, "Metric") is { ValueKind: JsonValueKind.Object } metric)
                    metrics.Add(Metric(metric));
            }
        }
        return metrics;
    }

    private static AlarmMetric Metric(JsonElement element)
    {
        string? instanceId = null;
        if (TriggerNormaliser.Member(element, "Dimensions") is { ValueKind: JsonValueKind.Array } dimensions)
            instanceId = dimensions.EnumerateArray()
                .Where(d => (TriggerNormaliser.Text(d, "name") ?? TriggerNormaliser.Text(d, "Name")) == "InstanceId")
                .Select(d => TriggerNormaliser.Text(d, "value") ?? TriggerNormaliser.Text(d, "Value"))
                .FirstOrDefault();
        return new AlarmMetric(TriggerNormaliser.Text(element, "Namespace"), TriggerNormaliser.Text(element, "MetricName"), instanceId);
    }
}
