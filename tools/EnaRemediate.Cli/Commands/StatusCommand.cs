using System.CommandLine;
using System.Text.Json;
using EnaRemediate.Cli.Engine;
using EnaRemediate.Cli.Records;
using EnaRemediate.Cli.Report;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate status [--instance-id ID...] [--store PATH|dynamodb:TABLE] [--format text|json]`:
/// where each instance's latest remediation stands, wherever it was started (this CLI, another
/// process, the deployed workflow): its step or outcome, who drives it, what it changed that is not
/// undone yet. Read-only. Exit 0 nothing refused or failed, 1 some refused, 2 some failed, 3 store unreadable.
/// </summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var options = new RecordViewOptions();
        var ids = new Option<string[]>("--instance-id") { Description = "Only these instances (repeat for many); default: every instance the store has a record of.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("status", "Where each instance's latest remediation stands (read-only), from the local store or --store dynamodb:TABLE.");
        options.AddTo(command);
        command.Options.Add(ids);
        var reportFile = ReportOption.Create();
        command.Options.Add(reportFile);
        command.SetAction((parse, ct) => CommandErrors.Guard(async () =>
        {
            var (location, store) = options.Open(parse);
            var records = await LatestAsync(store, parse.GetValue(ids) ?? [], ct);
            var now = TimeProvider.System.GetUtcNow();
            var rows = records.Select(r => StatusRow.From(r, now)).ToList();
            var tally = OutcomeTally.Of(rows.Select(r => r.Kind));
            if (parse.GetValue(reportFile) is { } path)
            {
                ReportOption.Write(path, $"status ({location})", tally.ToString(), records.Select(r => TimelineRow.From(r, $"plan {r.Plan}, trigger {r.Trigger}", now, null)).ToList());
            }
            if (options.Json(parse))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { store = location.ToString(), instances = rows, summary = tally }, CliJson.Options));
            }
            else
            {
                WriteText(location, rows, tally);
            }
            return tally.ExitCode;
        }));
        return command;
    }

    /// <summary>The latest record of each asked instance, or of every instance the store lists.</summary>
    private static async Task<IReadOnlyList<RemediationRecord>> LatestAsync(IRemediationStore store, IReadOnlyList<string> instanceIds, CancellationToken ct)
    {
        if (instanceIds.Count == 0)
        {
            // SQLite can list every instance; DynamoDB lists the unfinished ones without a scan of the audit log.
            return store is SqliteRemediationStore sqlite ? sqlite.LatestPerInstance() : await store.ListUnfinishedAsync(ct);
        }
        var latest = new List<RemediationRecord>();
        foreach (var id in instanceIds.Distinct(StringComparer.Ordinal))
        {
            if (await store.GetLatestAsync(id, ct) is { } record)
            {
                latest.Add(record);
            }
            else
            {
                Console.Error.WriteLine($"{id}: no remediation record");
            }
        }
        return latest;
    }

    private static void WriteText(StoreLocation location, IReadOnlyList<StatusRow> rows, OutcomeTally tally)
    {
        if (rows.Count == 0)
        {
            Console.WriteLine($"no remediation records in {location}");
            return;
        }
        foreach (var row in rows)
        {
            Console.WriteLine($"{row.InstanceId} {row.Plan,-15} {row.Outcome ?? "step " + row.Step,-28} {row.UpdatedAt:u}  {row.RemediationId}");
            Console.WriteLine($"    {row.OutcomeReason ?? row.LastEvent}");
            if (row.Outcome is null)
            {
                Console.WriteLine($"    {(row.DrivenBy is { } by ? "driven by " + by : "nobody drives it now: `enaremediate remediate --yes --instance-id " + row.InstanceId + "` resumes it, `enaremediate abort " + row.RemediationId + "` rolls it back")}");
            }
            if (row.NotUndone.Count > 0)
            {
                Console.WriteLine($"    changed and not undone: {string.Join("; ", row.NotUndone)}");
            }
        }
        Console.WriteLine(tally);
    }
}

/// <summary>One instance in `status`: its latest record as a person or a script reads it (NotUndone: what a running one changed so far).</summary>
internal sealed record StatusRow(
    string InstanceId, string RemediationId, string Plan, string Step, string? Outcome, string? OutcomeReason, string? LastEvent,
    string Trigger, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? DrivenBy, IReadOnlyList<string> NotUndone, bool DryRun)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public OutcomeTally.Kind Kind { get; init; }

    public static StatusRow From(RemediationRecord r, DateTimeOffset now) => new(
        r.InstanceId, r.RemediationId, r.Plan, r.Step, r.Outcome, r.OutcomeReason, r.History.Count == 0 ? null : r.History[^1].Event,
        r.Trigger, r.CreatedAt, r.UpdatedAt, RecordLease.OtherHolder(r, now),
        r.IsFinished ? [] : r.UndoLog.Where(u => !u.Done).Select(u => u.Description).ToList(), r.DryRun)
    {
        Kind = OutcomeTally.Classify(r.Outcome, r.Memo.GetValueOrDefault("refusal.code")),
    };
}
