namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// `simulate-fleet [N...]` (default 50 500): the engine alone on kernel-update fleets (seed 1),
/// one Markdown table row per size. Per-action counts and any non-recovered reasons go to stderr.
/// `fleet` measures the same run against the floor and the naive baseline.
/// </summary>
public static class SimulateFleetBenchmark
{
    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        var sizes = args.Length == 0 ? [50, 500] : args.Select(int.Parse).ToArray();
        Console.WriteLine("| instances | outcome | API calls | API calls / instance | StartInstances calls | throttled | simulated time | wall time |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var size in sizes)
        {
            var r = await EngineFleetRun.RunAsync("kernel-update", size, seed: 1);
            Console.Error.WriteLine($"{r.Instances} instances, calls by action: {string.Join(", ", r.ApiCalls.ByAction.Select(p => $"{p.Key} {p.Value}"))}");
            var outcomes = string.Join(", ", r.Outcomes.Select(o => $"{o.Value} {o.Key}"));
            Console.WriteLine($"| {r.Instances} | {outcomes} | {r.ApiCalls.Total} | {r.ApiCalls.PerInstance:0.0} | {r.ApiCalls.ByAction.GetValueOrDefault("StartInstances")} | {r.ThrottledResponses} | {TimeSpan.FromSeconds(r.CompletionSeconds):hh\\:mm\\:ss} | {r.WallSeconds:0.0} s |");
        }
        return 0;
    }
}
