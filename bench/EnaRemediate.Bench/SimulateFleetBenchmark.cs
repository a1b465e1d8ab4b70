using System.Diagnostics;
using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Simulator;

namespace EnaRemediate.Bench;

/// <summary>
/// The engine recovering a kernel-update fleet on the simulator through the real SDK, on a clock
/// that jumps to each next look: the wall time is the engine's and the simulator's own work (no
/// sleeping), the simulated time is how long EC2 would take. Reports API calls per instance.
/// Usage: simulate-fleet [N...] (default 50 500). Per-action counts and any non-recovered reasons go to stderr.
/// </summary>
public static class SimulateFleetBenchmark
{
    /// <summary>The dispatcher's entry point (synchronous, as Program.cs expects).</summary>
    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private const string Sha256 = "5f1c2b7e0d9a4c3b8e6f1a2d3c4b5a6978e1f0d2c3b4a5968778695a4b3c2d1e";

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = args.Length == 0 ? [50, 500] : args.Select(int.Parse).ToArray();
        Console.WriteLine("| instances | outcome | API calls | API calls / instance | StartInstances calls | throttled | simulated time | wall time |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var size in sizes)
        {
            await RunOneAsync(size);
        }
        return 0;
    }

    private static async Task RunOneAsync(int instances)
    {
        var clock = new SteppedClock(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "kernel-update", Instances = instances, Seed = 1, Clock = clock });
        var service = EngineFactory.Create(new AwsConnection("us-east-1", host.Endpoint.ToString(), new BasicAWSCredentials("test", "test")),
            new InMemoryRemediationStore(), new EngineOptions().WithDriver(Sha256), clock);
        var ids = host.World.Instances.Select(i => i.InstanceId).ToList();
        var wall = Stopwatch.StartNew();
        var start = clock.GetUtcNow();
        var started = await service.StartAsync(new RemediationRequest(ids, RemediationMode.Remediate, false, "bench", null));
        AdvanceResult result;
        while (!(result = await service.AdvanceAsync(started.RemediationIds)).Done)
        {
            clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }
        wall.Stop();
        var outcomes = string.Join(", ", result.Records.GroupBy(r => r.Outcome).Select(g => $"{g.Count()} {g.Key}"));
        foreach (var reason in result.Records.Where(r => r.Outcome != "recovered").GroupBy(r => r.OutcomeReason))
        {
            Console.Error.WriteLine($"{reason.Count()} x {reason.Key}");
        }
        var counters = host.World.Counters;
        Console.Error.WriteLine($"{instances} instances, calls by action: {string.Join(", ", counters.Snapshot().OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))}");
        Console.WriteLine($"| {instances} | {outcomes} | {counters.Total} | {counters.Total / (double)instances:0.0} | {counters["StartInstances"]} | {counters.Throttled + service.ThrottledCalls} | {clock.GetUtcNow() - start:hh\\:mm\\:ss} | {wall.Elapsed.TotalSeconds:0.0} s |");
    }

    /// <summary>A clock that only moves when told: the benchmark jumps it to each next look.</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
