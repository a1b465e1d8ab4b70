using System.CommandLine;
using System.Text.Json;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Cli.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate remediate --instance-id ID... [--dry-run] [--yes] [--state-dir DIR] [...]`: runs the
/// engine to the end with a live progress view. Records live in --state-dir, so an interrupted run
/// resumes where it stopped. Exit 0 all recovered (or a dry run), 1 refusals or rollbacks, 2 a
/// failure, 64 bad usage (including changing instances without --yes when no one can be asked).
/// </summary>
public static class RemediateCommand
{
    public static Command Create()
    {
        var options = new EngineCliOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "List every call (EC2 DryRun-checked where EC2 offers it) and change nothing." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask before changing instances." };
        var asgStandby = new Option<bool>("--asg-standby") { Description = "Let EnaRemediate move InService Auto Scaling members to Standby (desired capacity lowered) for the remediation and back to InService afterwards, also on rollback." };
        var stateDir = new Option<string>("--state-dir")
        {
            Description = "Where remediation records are kept (resumed on the next run).",
            DefaultValueFactory = _ => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".enaremediate", "records"),
        };
        var command = new Command("remediate", "Recover the instances: triage, then the chosen plan to the end, with live progress.");
        options.AddTo(command);
        command.Options.Add(dryRun);
        command.Options.Add(yes);
        command.Options.Add(asgStandby);
        command.Options.Add(stateDir);
        command.SetAction((parse, ct) => CommandErrors.Guard(async () =>
        {
            var json = parse.GetValue(options.Format) == "json";
            var ids = parse.GetValue(options.InstanceIds) ?? [];
            var isDryRun = parse.GetValue(dryRun);
            var service = EngineFactory.Create(Connection.For(parse.GetValue(options.Region), parse.GetValue(options.EndpointUrl)),
                new JsonFileRemediationStore(parse.GetValue(stateDir)!), options.EngineOptions(parse), TimeProvider.System);
            if (!isDryRun && !parse.GetValue(yes) && !Confirm(await service.PlanAsync(ids, ct)))
            {
                return ExitCodes.Usage;
            }
            var started = await service.StartAsync(new RemediationRequest(ids, RemediationMode.Remediate, isDryRun, "cli", Environment.UserName)
            {
                PlanOptions = parse.GetValue(asgStandby) ? new Dictionary<string, string> { [AutoScalingRule.ConsentOption] = "true" } : new Dictionary<string, string>(),
            }, ct);
            if (!json)
            {
                foreach (var instance in started.Instances)
                {
                    StartOutput.WriteTriage(Console.Out, instance.InstanceId, instance.Plan, instance.RefusalCode, instance.Reason, instance.PlannedCalls);
                }
            }
            // A dry run changes nothing, so it never resumes an earlier run's records either.
            var toRun = isDryRun ? [] : await WithResumedAsync(started, service, ct);
            var result = toRun.Count == 0
                ? new AdvanceResult(true, 0, [])
                : json
                    ? await RemediationLoop.RunAsync(service, toRun, TimeProvider.System, _ => { }, ct)
                    : await new ProgressView().RunAsync(progress => RemediationLoop.RunAsync(service, toRun, TimeProvider.System, progress, ct));
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { started = started.Instances, records = result.Records }, CliJson.Options));
            }
            return ExitCode(started, result);
        }));
        return command;
    }

    /// <summary>An instance refused as "already remediating" by an unfinished record of an earlier, interrupted run is resumed.</summary>
    private static async Task<IReadOnlyList<string>> WithResumedAsync(StartResult started, RemediationService service, CancellationToken ct)
    {
        var ids = started.RemediationIds.ToList();
        foreach (var instance in started.Instances.Where(i => i.RefusalCode == "already-remediating"))
        {
            if (await service.LatestUnfinishedAsync(instance.InstanceId, ct) is { } record)
            {
                Console.Error.WriteLine($"{instance.InstanceId}: resuming {record.RemediationId} at step {record.Step}");
                ids.Add(record.RemediationId);
            }
        }
        return ids;
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

    private static int ExitCode(StartResult started, AdvanceResult result)
    {
        if (result.Records.Any(r => r.Outcome == Outcomes.Failed))
        {
            return ExitCodes.Failure;
        }
        var attention = started.Instances.Any(i => i.RefusalCode is not null && i.RefusalCode != "already-remediating")
            || result.Records.Any(r => r.Outcome != Outcomes.Recovered);
        return attention ? ExitCodes.Attention : ExitCodes.Ok;
    }
}
