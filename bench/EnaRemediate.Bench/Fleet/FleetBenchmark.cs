using System.Globalization;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// `fleet --instances N [--scenario S] [--seed S] [--format json|text]`: the engine and the naive
/// baseline (<see cref="NaiveRunbook"/>) each recover the same scenario fleet (same seed, a
/// simulator of their own) in this process, each measured against the floor of its own run
/// (<see cref="FleetFloor"/>) on the routes the engine takes (<see cref="FleetRoutes"/>). JSON on stdout is issue 13's document; wall times and the reasons
/// of lost instances go to stderr.
/// </summary>
public static class FleetBenchmark
{
    private const string Usage = "usage: fleet --instances N [--scenario NAME] [--seed S] [--format json|text]";

    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        if (!TryParse(args, out var instances, out var scenario, out var seed, out var json, out var error))
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(Usage);
            return 64;
        }
        // One floor for both: the route the engine takes for each instance, asked before either run.
        var routes = await FleetRoutes.PlanAsync(scenario, instances, seed);
        Console.Error.WriteLine("routes: " + string.Join(", ", routes.Values.GroupBy(r => r).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}")));
        // The baseline first (it is quick): its report is on stderr even when the engine's run is cut short.
        var baseline = await NaiveRunbook.RunAsync(scenario, instances, seed, routes);
        Console.Error.WriteLine($"baseline: {baseline.Instances} instances in {baseline.WallSeconds:0.0} s wall: {baseline.ToJson(indented: false)}");
        var engine = await EngineFleetRun.RunAsync(scenario, instances, seed, routes);
        Console.Error.WriteLine($"engine: {engine.Instances} instances in {engine.WallSeconds:0.0} s wall");
        foreach (var (who, run) in new[] { ("engine", engine), ("baseline", baseline) })
        {
            Console.Error.WriteLine($"{who}: floor with tokens in the order asked: {run.FirstAskedFloorSeconds?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-"} s; floor by route alone: {string.Join(", ", run.RouteFloors.Select(f => $"{f.Key} {f.Value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-"} s"))}; " +
                $"throttled: {(run.ThrottledByAction.Count == 0 ? "none" : string.Join(", ", run.ThrottledByAction.Select(t => $"{t.Key} {t.Value}")))}");
        }
        var report = engine with { Baseline = baseline };
        Console.WriteLine(json ? report.ToJson() : Text(report));
        return 0;
    }

    private static string Text(FleetRunReport r)
    {
        static string Line(string who, FleetRunReport x) =>
            $"{who,-9} completion {x.CompletionSeconds,8:0.0} s  floor {x.FloorSeconds?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-",8} s  ratio {x.Ratio?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-",6}  " +
            $"p50/p99 {x.P50InstanceSeconds:0}/{x.P99InstanceSeconds:0} s  calls/instance {x.ApiCalls.PerInstance:0.0}  throttled {x.ThrottledResponses}  " +
            $"lost to throttling {x.FailedFromThrottling}  cpu {x.EngineCpuSeconds:0.0} s (simulator {x.SimulatorCpuSeconds:0.0} s)  peak {x.PeakEngineMemoryMiB:0} MiB  " +
            string.Join(", ", x.Outcomes.Select(o => $"{o.Value} {o.Key}"));
        return $"{r.Instances} instances, {r.Scenario}, seed {r.Seed}\n{Line("engine", r)}\n{Line("baseline", r.Baseline!)}";
    }

    internal static bool TryParse(string[] args, out int instances, out string scenario, out int seed, out bool json, out string error)
    {
        instances = 0;
        scenario = "kernel-update";
        seed = 1;
        json = false;
        error = "";
        for (var n = 0; n < args.Length; n++)
        {
            var value = n + 1 < args.Length ? args[n + 1] : null;
            switch (args[n])
            {
                case "--instances" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i > 0:
                    instances = i;
                    break;
                case "--scenario" when !string.IsNullOrWhiteSpace(value):
                    scenario = value;
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s):
                    seed = s;
                    break;
                case "--format" when value is "json" or "text":
                    json = value == "json";
                    break;
                default:
                    error = $"fleet: bad argument '{args[n]}{(value is null ? "" : " " + value)}'";
                    return false;
            }
            n++;
        }
        if (instances == 0)
        {
            error = "fleet: --instances N is required";
            return false;
        }
        return true;
    }
}
