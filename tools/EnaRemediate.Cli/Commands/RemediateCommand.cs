using System.CommandLine;
using System.Text.Json;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Cli.Engine;
using EnaRemediate.Cli.Records;
using EnaRemediate.Cli.Report;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate remediate --instance-id ID... [--dry-run] [--yes] [--store PATH|dynamodb:TABLE] [...]`:
/// runs the engine to the end with a live progress view. Records (and the per-instance locks) live
/// in the store, so an interrupted run resumes where it stopped and a second process never drives
/// the same record. Exit codes: README (0 fixed or healthy, 1 some refused, 2 some failed, 3 record
/// store unreadable, 64 bad usage, including changing instances without --yes when no one can be
/// asked or a parameter the engine would refuse, 130 interrupted).
/// </summary>
public static class RemediateCommand
{
    public static Command Create()
    {
        var options = new EngineCliOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "List every call (EC2 DryRun-checked where EC2 offers it) and change nothing." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask before changing instances." };
        var force = new Option<bool>("--force") { Description = "Remediate even an instance not observed broken (status check ok, SSM Online) or in its cool-down; recorded as forced." };
        var storeOption = StoreLocation.CreateOption();
        var timeScale = EngineClock.CreateOption();
        var reportFile = ReportOption.Create();
        var asgStandby = new Option<bool>("--asg-standby") { Description = "Let EnaRemediate move InService Auto Scaling members to Standby (desired capacity lowered) for the remediation and back to InService afterwards, also on rollback." };
        var command = new Command("remediate", "Recover the instances: triage, then the chosen plan to the end, with live progress.");
        options.AddTo(command);
        command.Options.Add(dryRun);
        command.Options.Add(yes);
        command.Options.Add(force);
        command.Options.Add(storeOption);
        command.Options.Add(timeScale);
        command.Options.Add(reportFile);
        command.Options.Add(asgStandby);
        command.SetAction((parse, ct) => CommandErrors.Guard(async () =>
        {
            CliApp.CommandStopsByItself();
            var json = parse.GetValue(options.Format) == "json";
            var ids = parse.GetValue(options.InstanceIds) ?? [];
            var isDryRun = parse.GetValue(dryRun);
            var forced = parse.GetValue(force);
            // Refused before any AWS call: a value SSM would reject must never cost a stop first.
            if (Core.Engine.Validation.ParameterValidator.Problem(options.EngineOptions(parse)) is { } invalid)
            {
                Console.Error.WriteLine($"enaremediate: invalid parameter: {invalid}; nothing was called or changed.");
                return ExitCodes.Usage;
            }
            var location = StoreLocation.Parse(parse.GetValue(storeOption));
            var clock = EngineClock.For(parse.GetValue(timeScale), parse.GetValue(options.EndpointUrl));
            var store = location.Open(parse.GetValue(options.Region), Console.Error);
            var service = EngineFactory.Create(Connection.For(parse.GetValue(options.Region), parse.GetValue(options.EndpointUrl)),
                store, options.EngineOptions(parse), clock);
            if (!isDryRun && !parse.GetValue(yes) && !Confirm(await service.PlanAsync(ids, forced, parse.GetValue(options.Route), ct)))
            {
                return ExitCodes.Usage;
            }
            var started = await service.StartAsync(new RemediationRequest(ids, RemediationMode.Remediate, isDryRun, "cli", Environment.UserName) { Force = forced, PlanOptions = options.PlanOptions(parse, parse.GetValue(asgStandby)) }, ct);
            if (!json)
            {
                foreach (var instance in started.Instances)
                {
                    StartOutput.WriteTriage(Console.Out, instance.InstanceId, instance.Plan, instance.RefusalCode, instance.Reason, instance.PlannedCalls);
                }
            }
            var run = new DrivenRun(service, store, location, clock, Console.Error);
            // A dry run changes nothing, so it never resumes an earlier run's records either.
            if (!isDryRun)
            {
                await run.ClaimAsync(started, ct);
            }
            var stop = CliApp.Signals.Stopping;
            var abandon = CliApp.Signals.Abandoning;
            var end = json || run.Ids.Count == 0
                ? await run.DriveAsync(_ => { }, stop, abandon)
                : await new ProgressView().RunAsync(progress => run.DriveAsync(progress, stop, abandon));
            var records = end.Last?.Records ?? [];
            var tally = Tally(started, records, run.HeldElsewhere.Keys);
            if (parse.GetValue(reportFile) is { } path)
            {
                var rows = await ReportOption.RowsAsync(store, started.Instances.Select(i => i.InstanceId), clock.GetUtcNow(),
                    id => "plan " + started.Instances.First(i => i.InstanceId == id).Plan, _ => null, Outcomes.Refused, "no record (not an instance id)", CancellationToken.None);
                ReportOption.Write(path, $"remediate ({location})", tally.ToString(), rows);
            }
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { started = started.Instances, records, heldElsewhere = run.HeldElsewhere, summary = tally, interrupted = end.Interrupted }, CliJson.Options));
            }
            else
            {
                Console.WriteLine(tally);
            }
            return end.Interrupted ? ExitCodes.Interrupted : tally.ExitCode;
        }));
        return command;
    }

    /// <summary>Each instance once: its record's end if this run drove one, else its triage answer.</summary>
    private static OutcomeTally Tally(StartResult started, IReadOnlyList<RecordSummary> records, IEnumerable<string> heldElsewhere)
    {
        var driven = records.ToDictionary(r => r.InstanceId, StringComparer.Ordinal);
        var elsewhere = heldElsewhere.ToHashSet(StringComparer.Ordinal);
        return OutcomeTally.Of(started.Instances.Select(i =>
            driven.TryGetValue(i.InstanceId, out var record) ? OutcomeTally.Classify(record.Outcome, null)
            // Another live process drives it: not this run's to fix, so it counts as refused here.
            : elsewhere.Contains(i.InstanceId) ? OutcomeTally.Kind.Refused
            : OutcomeTally.Classify(i.Outcome ?? (i.RemediationId is null ? Outcomes.Refused : null), i.RefusalCode)));
    }

    private static bool Confirm(IReadOnlyList<InstancePlan> plans)
    {
        if (Console.IsInputRedirected)
        {
            Console.Error.WriteLine("enaremediate: remediate changes instances; pass --yes to confirm (or --dry-run to only see the plan).");
            return false;
        }
        foreach (var plan in plans)
        {
            StartOutput.WriteTriage(Console.Out, plan.Triage.InstanceId, plan.Triage.Plan, plan.Triage.RefusalCode, plan.Triage.Reason, plan.PlannedCalls);
        }
        Console.Write("Proceed? [y/N] ");
        return Console.ReadLine()?.Trim().ToLowerInvariant() is "y" or "yes";
    }
}
