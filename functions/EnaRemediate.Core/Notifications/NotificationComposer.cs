using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Core.Notifications;

/// <summary>
/// Composes the workflow's SNS messages from the engine's answers (Step Functions' JSONPath cannot
/// join strings): one per workflow at the start (including "nothing to run") and one at the end.
/// Plain text a person reads on a phone, instances needing attention first, a bounded number of
/// them with a count of the rest; then a JSON section for machines. Pure: no clock, no I/O.
/// </summary>
public sealed class NotificationComposer(RecordLocation location)
{
    /// <summary>SNS: the subject is ASCII, one line, under 100 characters.</summary>
    public const int MaxSubjectLength = 99;
    /// <summary>Instances spelled out in the text; the rest are counted (the JSON section and the records have them).</summary>
    public const int MaxInstancesInText = 10;
    /// <summary>Instances in the JSON section: keeps a 1,000-instance workflow well under SNS's 256 KB.</summary>
    public const int MaxInstancesInJson = 100;
    private const int MaxFieldLength = 400;
    public const string JsonSectionHeader = "---- JSON ----";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    /// <summary>The start of a workflow: what was taken on, what was refused and why.</summary>
    /// <param name="instancesInJson">fewer than <see cref="MaxInstancesInJson"/> when the message must share a size limit with something else (intake's answer carries it beside every record id).</param>
    public Notification ForStart(StartResult start, string? trigger, int instancesInJson = MaxInstancesInJson)
    {
        var items = start.Instances.Select(i => new Item(
            i.InstanceId, i.RemediationId, i.Plan, StartOutcome(i), i.RefusalCode, Problem: i.RefusalCode is not null ? null : i.Reason,
            Detail: i.RefusalCode is not null ? i.Reason : PlannedSummary(i), RemainingChanges: [])).ToList();
        var counts = Count(items);
        var headline = items.Count == 0 ? "nothing to run" : Headline(items, counts);
        var text = new StringBuilder();
        text.AppendLine(items.Any(i => i.Outcome == "started")
            ? $"EnaRemediate started a remediation workflow: {headline}."
            : $"EnaRemediate has nothing to run: {(items.Count == 0 ? "no instance in the request" : headline)}. Nothing was changed.");
        if (trigger is { Length: > 0 }) text.AppendLine($"Trigger: {Clip(trigger)}");
        return Compose("start", headline, text, items, counts, instancesInJson);
    }

    /// <summary>A trigger that names nothing to act on (an OK alarm, another metric): said once, so a started workflow is never silent.</summary>
    public Notification ForIgnored(string reason)
    {
        var text = new StringBuilder();
        text.AppendLine("EnaRemediate ignored a trigger: nothing was started and nothing was changed.");
        text.AppendLine($"Why: {Clip(reason)}");
        text.AppendLine();
        text.AppendLine(JsonSectionHeader);
        text.Append(JsonSerializer.Serialize(new { kind = "ignored", reason = Clip(reason) }, Json));
        return new Notification("EnaRemediate: trigger ignored, nothing to run", text.ToString());
    }

    /// <summary>The end of a workflow: each record's outcome and what remains changed.</summary>
    public Notification ForEnd(AdvanceResult result)
    {
        var items = result.Records.Select(r => new Item(
            r.InstanceId, r.RemediationId, r.Plan, r.Outcome ?? "unfinished", RefusalCode: null, r.Story?.Problem,
            Detail: r.OutcomeReason ?? r.LastEvent, r.Story?.RemainingChanges ?? [])).ToList();
        var counts = Count(items);
        var headline = items.Count == 0 ? "no records found" : Headline(items, counts);
        var text = new StringBuilder();
        text.AppendLine($"EnaRemediate finished a remediation workflow: {headline}.");
        if (result.UnknownRemediationIds.Count > 0)
            text.AppendLine($"{result.UnknownRemediationIds.Count} record id(s) were not found in the store: {Clip(string.Join(", ", result.UnknownRemediationIds))}");
        return Compose("end", headline, text, items, counts);
    }

    private Notification Compose(string kind, string headline, StringBuilder text, List<Item> items, IReadOnlyDictionary<string, int> counts,
        int instancesInJson = MaxInstancesInJson)
    {
        var ordered = items.OrderBy(i => Attention(i.Outcome)).ThenBy(i => i.InstanceId, StringComparer.Ordinal).ToList();
        foreach (var item in ordered.Take(MaxInstancesInText))
        {
            text.AppendLine();
            Describe(text, item);
        }
        if (ordered.Count > MaxInstancesInText)
        {
            text.AppendLine();
            text.AppendLine($"... and {ordered.Count - MaxInstancesInText} more instance(s) not listed here ({Tally(Count(ordered.Skip(MaxInstancesInText)))}); the JSON section and the records have them.");
        }
        text.AppendLine();
        text.AppendLine($"Records: DynamoDB table {location.TableName}, one item per record keyed {location.KeyOf("<record id>")}.");
        text.AppendLine();
        text.AppendLine(JsonSectionHeader);
        text.Append(JsonSerializer.Serialize(new JsonSection(kind, counts, location.TableName,
            ordered.Take(instancesInJson).Select(i => i.Clipped()).ToList(), Math.Max(0, ordered.Count - instancesInJson)), Json));
        return new Notification(Subject(items, headline), text.ToString());
    }

    private void Describe(StringBuilder text, Item item)
    {
        text.AppendLine($"{item.InstanceId}: {OutcomeWords(item)}");
        if (item.Problem is { Length: > 0 }) text.AppendLine($"  What was wrong: {Clip(item.Problem)}");
        if (item.Detail is { Length: > 0 }) text.AppendLine($"  {(item.Outcome == "started" ? "What it will do" : item.Outcome == Outcomes.Refused ? "Why" : "What was done")}: {Clip(item.Detail)}");
        if (item.Outcome is not "started" and not "unfinished")
        {
            text.AppendLine(item.RemainingChanges.Count == 0
                ? "  Still changed: nothing"
                : $"  Still changed: {Clip(string.Join("; ", item.RemainingChanges))}");
        }
        if (item.RemediationId is { } id) text.AppendLine($"  Record: {location.HistoryCommand(id)}");
    }

    private static string OutcomeWords(Item item) => item.Outcome switch
    {
        "started" => $"started ({item.Plan})",
        Outcomes.Refused => item.RefusalCode is { } code ? $"refused ({code}), nothing changed" : "refused, nothing changed",
        Outcomes.Recovered => $"recovered ({item.Plan})",
        Outcomes.RolledBack => "rolled back, NOT fixed",
        Outcomes.Failed => "FAILED, needs a person",
        Outcomes.DryRun => "dry run, nothing changed",
        Outcomes.Diagnosed => "diagnosed, nothing changed",
        Outcomes.AmiRegistered => "ENA-disabled AMI registered",
        "unfinished" => "still running (the workflow ended before it)",
        var other => other,
    };

    /// <summary>Failures first, then what was not fixed, then refusals, then the good news.</summary>
    private static int Attention(string outcome) => outcome switch
    {
        Outcomes.Failed => 0,
        "unfinished" => 1,
        Outcomes.RolledBack => 2,
        Outcomes.Refused => 3,
        _ => 4,
    };

    private static string StartOutcome(StartedInstance instance) => instance.Outcome ?? "started";

    private static string? PlannedSummary(StartedInstance instance) => instance.PlannedCalls.Count == 0
        ? instance.Reason
        : $"{instance.Reason} Calls: {string.Join(", ", instance.PlannedCalls.Select(c => c.Description))}";

    private static Dictionary<string, int> Count(IEnumerable<Item> items) =>
        items.GroupBy(i => i.Outcome).OrderBy(g => Attention(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    private static string Tally(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{c.Value} {c.Key}"));

    private static string Headline(List<Item> items, IReadOnlyDictionary<string, int> counts) =>
        items.Count == 1 ? $"{items[0].InstanceId} {OutcomeWords(items[0])}" : $"{items.Count} instances: {Tally(counts)}";

    /// <summary>ASCII only, one line, cut at a word boundary with "..." when too long.</summary>
    private static string Subject(List<Item> items, string headline)
    {
        var subject = new string(("EnaRemediate: " + (items.Count == 1 ? $"{items[0].InstanceId} {items[0].Outcome}" : headline))
            .Select(c => c is >= ' ' and <= '~' ? c : ' ').ToArray());
        if (subject.Length <= MaxSubjectLength) return subject;
        var cut = subject[..(MaxSubjectLength - 3)];
        var space = cut.LastIndexOf(' ');
        return (space > 20 ? cut[..space] : cut).TrimEnd(',', ' ') + "...";
    }

    private static string Clip(string text) => text.Length <= MaxFieldLength ? text : text[..(MaxFieldLength - 3)] + "...";

    private sealed record Item(string InstanceId, string? RemediationId, string Plan, string Outcome, string? RefusalCode,
        string? Problem, string? Detail, IReadOnlyList<string> RemainingChanges)
    {
        public Item Clipped() => this with
        {
            Problem = Problem is null ? null : Clip(Problem),
            Detail = Detail is null ? null : Clip(Detail),
            RemainingChanges = RemainingChanges.Select(Clip).ToList(),
        };
    }

    private sealed record JsonSection(string Kind, IReadOnlyDictionary<string, int> Counts, string Table, IReadOnlyList<Item> Instances, int InstancesOmitted);
}
