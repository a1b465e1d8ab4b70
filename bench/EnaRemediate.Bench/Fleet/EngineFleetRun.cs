using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Core.Plans;
using EnaRemediate.Simulator;
using EnaRemediate.Simulator.Time;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// The engine as it is, recovering a scenario fleet through the real AWS SDK against the simulator:
/// StartAsync for every instance, then AdvanceAsync until done, jumping a stepped clock to each
/// answer's next-look time (no sleeping: wall time is the engine's, the SDK's and the simulator's work).
/// The engine's poll jitter is seeded with the fleet's seed, so that one seed gives one run.
/// Instances refused at the start count with their outcome (refused) and no time.
/// </summary>
internal static class EngineFleetRun
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A pinned digest: the simulator checks its shape, not the bytes.</summary>
    public const string Sha256 = "5f1c2b7e0d9a4c3b8e6f1a2d3c4b5a6978e1f0d2c3b4a5968778695a4b3c2d1e";

    /// <param name="routes">the engine's route for each instance (<see cref="FleetRoutes"/>); planned here when not given.</param>
    public static async Task<FleetRunReport> RunAsync(string scenario, int instances, int seed, IReadOnlyDictionary<string, string>? routes = null)
    {
        routes ??= await FleetRoutes.PlanAsync(scenario, instances, seed);
        var clock = new SteppedClock(Start);
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = scenario, Instances = instances, Seed = seed, Clock = clock });
        var store = new InMemoryRemediationStore();
        var service = CreateService(host, clock, seed, store);
        var ids = host.World.Instances.Select(i => i.InstanceId).ToList();
        using var meter = new RunMeter(host.World);
        var started = await service.StartAsync(new RemediationRequest(ids, RemediationMode.Remediate, false, "bench", null));
        // Made once, as the CLI's loop does: StartResult computes the list each time it is asked for.
        var remediationIds = started.RemediationIds;
        AdvanceResult result;
        var progress = System.Diagnostics.Stopwatch.StartNew();
        while (!(result = await service.AdvanceAsync(remediationIds)).Done)
        {
            clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
            if (progress.Elapsed > TimeSpan.FromMinutes(1))
            {
                // What a run that is cut short got to: one line a minute of wall time.
                Console.Error.WriteLine($"engine progress: {meter.Elapsed.TotalSeconds:0} s wall, {(clock.GetUtcNow() - Start).TotalSeconds:0} s simulated, " +
                    $"{result.Records.Count(r => r.Outcome is not null)} of {result.Records.Count} finished, {host.World.Counters.Total} calls, " +
                    $"simulator CPU {host.World.Counters.HandlerCpu.TotalSeconds:0.0} s of the process's {System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.0} s");
                progress.Restart();
            }
        }
        meter.Stop();
        foreach (var reason in result.Records.Where(r => r.Outcome != Outcomes.Recovered).GroupBy(r => r.OutcomeReason))
        {
            Console.Error.WriteLine($"engine: {reason.Count()} x {reason.Key}");
        }
        foreach (var line in StepTimes.Lines(await Task.WhenAll(remediationIds.Select(async id => (await store.GetAsync(id))!))))
        {
            Console.Error.WriteLine(line);
        }
        // Instances refused at the start (no record to advance) end there, with the outcome the start gave them.
        var refused = started.Instances.Where(i => i.Outcome is not null && !result.Records.Any(r => r.InstanceId == i.InstanceId)).Select(i => (0.0, i.Outcome!));
        return FleetRunReport.From(scenario, seed, host.World, routes, (clock.GetUtcNow() - Start).TotalSeconds,
            result.Records.Select(r => (r.ElapsedSeconds, r.Outcome ?? "unfinished")).Concat(refused).ToList(),
            result.Records.Count(r => r.Outcome != Outcomes.Recovered && IsThrottling(r.OutcomeReason)),
            meter);
    }

    /// <summary>
    /// The engine as the CLI's `simulate` builds it: the bench's pinned driver, poll jitter seeded
    /// with the fleet's seed, and the scenario's rescue AMIs (named enaremediate-rescue-*) for offline repair.
    /// </summary>
    public static RemediationService CreateService(SimulatorHost host, TimeProvider clock, int seed, IRemediationStore store)
    {
        var rescueImages = host.World.AllImages.Where(i => i.Name.StartsWith("enaremediate-rescue-", StringComparison.Ordinal))
            .GroupBy(i => i.Architecture).ToDictionary(g => g.Key, g => g.First().ImageId, StringComparer.Ordinal);
        var options = new EngineOptions { JitterSeed = seed }.WithDriver(Sha256) with { Nitro = new NitroOptions { RescueImages = rescueImages } };
        return EngineFactory.Create(new AwsConnection("us-east-1", host.Endpoint.ToString(), new BasicAWSCredentials("bench", "bench")),
            store, options, clock);
    }

    public static bool IsThrottling(string? reason) =>
        reason is not null && reason.Contains("RequestLimitExceeded", StringComparison.Ordinal);
}
