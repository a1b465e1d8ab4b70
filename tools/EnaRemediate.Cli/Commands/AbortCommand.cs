using System.CommandLine;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Cli.Engine;
using EnaRemediate.Cli.Records;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate abort ID [--store PATH|dynamodb:TABLE] [--region R] [--endpoint-url URL]`: rolls a
/// running remediation back now, through the engine's own rollback step (the undo log). When a live
/// process (or the deployed workflow) drives the record, it is marked and that driver rolls it back
/// on its next look; otherwise this process drives the rollback to its end. Exit 0 rolled back (or
/// nothing had been changed, or handed to its live driver), 1 already finished, 2 the rollback
/// failed or there is no such record, 130 interrupted.
/// </summary>
public static class AbortCommand
{
    public static Command Create()
    {
        var options = new RecordViewOptions();
        var endpoint = new Option<string?>("--endpoint-url") { Description = "Send EC2 and SSM calls to this URL (e.g. a simulator)." };
        var timeScale = EngineClock.CreateOption();
        var id = new Argument<string>("ID") { Description = "The remediation id (see `status`), or an instance id for its running remediation." };
        var command = new Command("abort", "Roll a running remediation back now (through the engine's rollback), wherever it was started.");
        command.Arguments.Add(id);
        options.AddTo(command);
        command.Options.Add(endpoint);
        command.Options.Add(timeScale);
        command.SetAction((parse, ct) => CommandErrors.Guard(async () =>
        {
            CliApp.CommandStopsByItself();
            var (location, store) = options.Open(parse);
            var clock = EngineClock.For(parse.GetValue(timeScale), parse.GetValue(endpoint));
            var service = EngineFactory.Create(Connection.For(parse.GetValue(options.Region), parse.GetValue(endpoint)), store, new EngineOptions(), clock);
            var wanted = parse.GetValue(id)!.Trim();
            var record = TriageRules.IsValidInstanceId(wanted) ? await store.GetLatestAsync(wanted, ct) : await store.GetAsync(wanted, ct);
            if (record is null)
            {
                Console.Error.WriteLine($"enaremediate: {location} has no remediation record for '{wanted}'.");
                return ExitCodes.Failure;
            }
            if (record.IsFinished)
            {
                Console.WriteLine($"{record.RemediationId}: already finished ({record.Outcome}): nothing to abort. {record.OutcomeReason}");
                return ExitCodes.Attention;
            }
            var aborted = (await service.AbortAsync(record.RemediationId, $"{Environment.UserName} (enaremediate abort)", ct))!;
            Console.WriteLine($"{aborted.RemediationId}: {aborted.History[^1].Event}");
            if (!aborted.IsFinished)
            {
                var run = new DrivenRun(service, store, location, clock, Console.Error);
                if (!await run.TakeOverAsync(aborted, ct))
                {
                    Console.WriteLine($"{aborted.InstanceId}: its driver rolls it back on its next look; follow it with `enaremediate status --instance-id {aborted.InstanceId}`.");
                    return ExitCodes.Ok;
                }
                var end = await new ProgressView().RunAsync(progress => run.DriveAsync(progress, CliApp.Signals.Stopping, CliApp.Signals.Abandoning));
                if (end.Interrupted)
                {
                    return ExitCodes.Interrupted;
                }
                aborted = (await store.GetAsync(aborted.RemediationId, ct))!;
            }
            Console.WriteLine($"{aborted.InstanceId}: {aborted.Outcome}: {aborted.OutcomeReason}");
            // Rolled back, or stopped before it had changed anything: the instance is as it was found.
            return aborted.Outcome == Outcomes.RolledBack || aborted.UndoLog.IsEmpty ? ExitCodes.Ok : ExitCodes.Failure;
        }));
        return command;
    }
}
