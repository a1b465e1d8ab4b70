using System.CommandLine;
using System.Text.Json;
using EnaRemediate.Cli.Engine;
using EnaRemediate.Cli.Records;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate history ID [--store PATH|dynamodb:TABLE] [--format text|json]`: the audit log of an
/// instance (every remediation record, oldest first) or of one remediation id: each step, event and
/// undo entry with its time. Read-only. Exit 0 found, 2 no such record, 3 store unreadable.
/// </summary>
public static class HistoryCommand
{
    public static Command Create()
    {
        var options = new RecordViewOptions();
        var id = new Argument<string>("ID") { Description = "An instance id (all its remediations) or a remediation id (that one)." };
        var command = new Command("history", "The audit log of an instance or a remediation: every step and event, with times (read-only).");
        command.Arguments.Add(id);
        options.AddTo(command);
        command.SetAction((parse, ct) => CommandErrors.Guard(async () =>
        {
            var (location, store) = options.Open(parse);
            var wanted = parse.GetValue(id)!.Trim();
            IReadOnlyList<RemediationRecord> records = TriageRules.IsValidInstanceId(wanted)
                ? await store.HistoryAsync(wanted, ct)
                : await store.GetAsync(wanted, ct) is { } one ? [one] : [];
            if (records.Count == 0)
            {
                Console.Error.WriteLine($"enaremediate: {location} has no remediation record for '{wanted}'.");
                return ExitCodes.Failure;
            }
            if (options.Json(parse))
            {
                Console.WriteLine(JsonSerializer.Serialize(records, CliJson.Options));
                return ExitCodes.Ok;
            }
            foreach (var record in records)
            {
                Console.WriteLine($"{record.RemediationId}: {record.InstanceId} {record.Plan}, {record.Outcome ?? "running, step " + record.Step} (trigger {record.Trigger}{(record.TriggerDetail is { } d ? " " + d : "")}{(record.DryRun ? ", dry run" : "")})");
                foreach (var entry in record.History)
                {
                    Console.WriteLine($"  {entry.At:yyyy-MM-dd HH:mm:ss}Z  {entry.Step,-26} {entry.Event}");
                }
                foreach (var undo in record.UndoLog)
                {
                    Console.WriteLine($"  undo {(undo.Done ? "done" : "kept")}: {undo.Description} (recorded {undo.RecordedAt:u})");
                }
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
