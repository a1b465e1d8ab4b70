using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using EnaRemediate.Functions.Tests.EndToEnd;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// `fleet-workflow --instances N [--scenario S] [--seed S] [--trigger sweep|runbook]`: the deployed
/// path against the CLI on the same fleet and seed. The deployed path is what AWS runs, here: one
/// scheduled sweep (or one runbook call naming every instance of the fleet: the input its
/// StartWorkflow step sends, through intake) into our ASL (the test suite's local interpreter, its
/// Distributed Map's batches at once on shared virtual time), the Lambda handlers with one
/// environment per concurrent invocation, the records and the shared rate budget in dynalite. The
/// CLI is <see cref="EngineFleetRun"/>: the engine in one process. Both times are simulated seconds
/// from the start until every record has its outcome; issue 13 asks for workflow ÷ CLI ≤ 1.10.
/// JSON on stdout, wall times on stderr.
/// </summary>
public static class FleetWorkflowBenchmark
{
    private const string Usage = "usage: fleet-workflow --instances N [--scenario NAME] [--seed S] [--trigger sweep|runbook]";

    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        var (trigger, rest) = Trigger(args);
        var parsed = FleetBenchmark.TryParse(rest, out var instances, out var scenario, out var seed, out _, out var error);
        if (trigger is null || !parsed)
        {
            error = trigger is null ? "fleet-workflow: --trigger is sweep or runbook" : error;
            Console.Error.WriteLine(error.Replace("fleet:", "fleet-workflow:", StringComparison.Ordinal));
            Console.Error.WriteLine(Usage);
            return 64;
        }
        var cli = await EngineFleetRun.RunAsync(scenario, instances, seed);
        Console.Error.WriteLine($"cli: {cli.Instances} instances, {cli.CompletionSeconds:0.0} s simulated in {cli.WallSeconds:0.0} s wall");

        var dynalite = new Dynalite();
        await dynalite.InitializeAsync();
        try
        {
            var wall = Stopwatch.StartNew();
            await using var deployment = await Deployment.StartAsync(dynalite, scenario, instances: instances, seed: seed);
            var input = trigger == "runbook"
                ? RunbookInput.Render(deployment.Sim.World.Instances.Select(i => i.InstanceId))
                : JsonNode.Parse("""{"source":"enaremediate.sweep"}""")!;
            var run = await deployment.Workflow().RunAsync(input);
            wall.Stop();
            var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var instance in deployment.Sim.World.Instances)
            {
                var outcome = (await deployment.Services.Store.GetLatestAsync(instance.InstanceId))?.Outcome ?? "no record";
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            var workflowSeconds = Math.Round(run.Elapsed.TotalSeconds, 1);
            Console.Error.WriteLine($"workflow: {run.Status} via {string.Join(" > ", run.Visited)}, {workflowSeconds:0.0} s simulated in {wall.Elapsed.TotalSeconds:0.0} s wall");
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                instances,
                scenario,
                seed,
                trigger,
                workflowSeconds,
                cliSeconds = cli.CompletionSeconds,
                ratio = cli.CompletionSeconds > 0 ? Math.Round(workflowSeconds / cli.CompletionSeconds, 3) : (double?)null,
                status = run.Status,
                passes = 1,
                batches = run.Batches.Count,
                advanceEnvironments = deployment.EnvironmentsOf("advance"),
                intakeInvocations = deployment.Invocations.Count(i => i == "intake"),
                advanceInvocations = deployment.Invocations.Count(i => i == "advance"),
                workflowApiCalls = deployment.Sim.World.Counters.Total,
                cliApiCalls = cli.ApiCalls.Total,
                workflowCallsByAction = deployment.Sim.World.Counters.Snapshot().OrderByDescending(p => p.Value).ToDictionary(p => p.Key, p => p.Value),
                cliCallsByAction = cli.ApiCalls.ByAction,
                workflowThrottledResponses = deployment.Sim.World.Counters.Throttled,
                cliThrottledResponses = cli.ThrottledResponses,
                outcomes,
                cliOutcomes = cli.Outcomes,
                wallSeconds = new { workflow = Math.Round(wall.Elapsed.TotalSeconds, 1), cli = Math.Round(cli.WallSeconds, 1) },
            }, new JsonSerializerOptions { WriteIndented = true }));
            return run.Status == "SUCCEEDED" ? 0 : 1;
        }
        finally
        {
            await dynalite.DisposeAsync();
        }
    }

    /// <summary>--trigger and its value taken out (sweep when absent; null when not sweep or runbook), the rest for <see cref="FleetBenchmark.TryParse"/>.</summary>
    private static (string? Trigger, string[] Others) Trigger(string[] args)
    {
        var at = Array.IndexOf(args, "--trigger");
        if (at < 0) return ("sweep", args);
        var value = at + 1 < args.Length ? args[at + 1] : null;
        return (value is "sweep" or "runbook" ? value : null, [.. args[..at], .. args[Math.Min(at + 2, args.Length)..]]);
    }
}
