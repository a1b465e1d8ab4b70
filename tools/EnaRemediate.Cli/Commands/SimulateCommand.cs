using System.CommandLine;
using System.Text.Json;
using EnaRemediate.Cli.Engine;
using EnaRemediate.Cli.Report;
using EnaRemediate.Core.Plans;
using EnaRemediate.Simulator;
using EnaRemediate.Simulator.Scenarios;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate simulate [--scenario NAME] [--instances N] [--seed S] [--speed X] [--format text|json]`:
/// a broken fleet in the embedded simulator, its alarms, and the engine recovering it, on simulated
/// time: the same seed and arguments print the same report, byte for byte (the wall time goes to
/// stderr). Exit 0 when nothing failed or rolled back (refusals are part of a scenario), 2 a failure
/// or rollback, 130 interrupted.
/// </summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var scenario = new Option<string>("--scenario") { Description = $"Fleet to simulate: {string.Join(", ", ScenarioLoader.BuiltIn)}, or a scenario JSON file.", DefaultValueFactory = _ => "mixed-fleet" };
        var instances = new Option<int?>("--instances") { Description = "Scale the scenario to this many instances." };
        var seed = new Option<int>("--seed") { Description = "Seed of the fleet, its latencies and the engine's polling jitter: one seed, one run.", DefaultValueFactory = _ => 1 };
        var speed = new Option<double?>("--speed") { Description = "Pace the run at this many simulated seconds per wall second (1-1000), to watch it; the same run either way (default: as fast as it computes)." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var reportFile = ReportOption.Create();

        var command = new Command("simulate", "Break a simulated fleet, let its status-check alarms fire, and watch the engine recover it.");
        foreach (var option in new Option[] { scenario, instances, seed, speed, format, reportFile })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, ct) => CommandErrors.Guard(async () =>
        {
            CliApp.CommandStopsByItself();
            var count = parse.GetValue(instances);
            var factor = parse.GetValue(speed);
            if (count is < 1 or > 5000)
            {
                throw new ArgumentException("--instances must be between 1 and 5000");
            }
            if (factor is < 1 or > 1000)
            {
                throw new ArgumentException("--speed must be between 1 and 1000");
            }
            var options = new SimulatorOptions { Scenario = parse.GetValue(scenario)!, Instances = count, Seed = parse.GetValue(seed) };
            var json = parse.GetValue(format) == "json";
            SimulationRun.Outcome outcome;
            try
            {
                outcome = json
                    ? await SimulationRun.RunAsync(options, factor, _ => { }, ct)
                    : await new ProgressView().RunAsync(progress => SimulationRun.RunAsync(options, factor, progress, ct));
            }
            catch (Exception e) when (e is FileNotFoundException or JsonException or InvalidOperationException or KeyNotFoundException)
            {
                Console.Error.WriteLine($"enaremediate: cannot load scenario '{options.Scenario}': {Core.Engine.OperatorText.Of(e)}");
                return ExitCodes.Usage;
            }
            var report = outcome.Report;
            if (parse.GetValue(reportFile) is { } path)
            {
                ReportOption.Write(path, $"simulate {report.Scenario} (seed {report.Seed})", Tally(report).ToString(), outcome.Timeline);
            }
            Console.Error.WriteLine($"enaremediate: {TimeSpan.FromSeconds(report.Totals.SimulatedSeconds)} simulated in {outcome.Wall.TotalSeconds:0.0} s of wall time");
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(report, CliJson.Options));
            }
            else
            {
                WriteSummary(report);
            }
            if (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine($"enaremediate: simulate interrupted by {CliApp.Signals.Received}; the simulator is stopped and the report above is where each instance stood.");
                return ExitCodes.Interrupted;
            }
            // Refusals are part of a scenario's story: only a failure (or rollback) makes the demo fail.
            return Tally(report).Failed > 0 ? ExitCodes.Failure : ExitCodes.Ok;
        }));
        return command;
    }

    private static void WriteSummary(SimulationReport report)
    {
        Console.WriteLine();
        foreach (var instance in report.Instances)
        {
            var final = instance.Final;
            Console.WriteLine($"{instance.InstanceId} {instance.InstanceType,-12} {instance.Plan,-15} {instance.Outcome,-12} " +
                $"{final.State}, ENA {(final.EnaSupport ? "on" : "off")}, {(final.Reachable ? "reachable" : "unreachable")}, ena {(string.IsNullOrEmpty(final.EnaModuleVersion) ? "-" : final.EnaModuleVersion)}");
            // A recovered instance speaks for itself; every other outcome says why, or what the operator does next.
            var why = instance.RefusalReason ?? (instance.Outcome == Outcomes.Recovered ? null : instance.OutcomeReason);
            if (why is not null)
            {
                Console.WriteLine($"    {why}");
            }
        }
        var totals = report.Totals;
        var outcomes = string.Join(", ", report.Instances.GroupBy(i => i.Outcome).Select(g => $"{g.Count()} {g.Key}"));
        Console.WriteLine($"{report.Scenario} (seed {report.Seed}): {outcomes}; {totals.ApiCalls} API calls ({totals.Throttled} throttled), " +
            $"{TimeSpan.FromSeconds(totals.SimulatedSeconds)} simulated");
        Console.WriteLine(Tally(report));
    }

    private static OutcomeTally Tally(SimulationReport report) => OutcomeTally.Of(report.Instances.Select(i => i.Outcome switch
    {
        SimulationReport.Healthy => OutcomeTally.Kind.Healthy,
        SimulationReport.Unfinished => OutcomeTally.Kind.Unfinished,
        var outcome => OutcomeTally.Classify(outcome, null),
    }));
}
