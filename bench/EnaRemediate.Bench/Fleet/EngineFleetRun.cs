using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Simulator;
using EnaRemediate.Simulator.Time;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// The engine as it is, recovering a scenario fleet through the real AWS SDK against the simulator:
/// StartAsync for every instance, then AdvanceAsync until done, jumping a stepped clock to each
/// answer's next-look time (no sleeping: wall time is the engine's, the SDK's and the simulator's work).
/// The engine runs in a process of its own (<see cref="EngineProcess"/>), so that its CPU and peak
/// memory are measured alone; the simulator stays here, where the floor reads its world.
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
        var idsFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(idsFile, host.World.Instances.Select(i => i.InstanceId));
            using var meter = RunMeter.ForClientElsewhere(host.World);
            var engine = await RunEngineProcessAsync(host, clock, seed, idsFile);
            var simulatorProcessCpu = meter.ProcessCpuSeconds;
            var cost = meter.Stop(new ClientCost(engine.CpuSeconds, engine.PeakMiB, engine.WallSeconds));
            Console.Error.WriteLine($"engine: its process took {engine.CpuSeconds:0.0} s of CPU, peak {engine.PeakMiB:0} MiB; the simulator's process " +
                $"{simulatorProcessCpu:0.0} s ({cost.SimulatorCpuSeconds:0.0} s in its handlers)");
            if (engine.ClockJumps > 0)
            {
                Console.Error.WriteLine($"engine: WARNING: the clock moved inside {engine.ClockJumps} Advance(s), where the simulator's could not follow");
            }
            return FleetRunReport.From(scenario, seed, host.World, routes, engine.CompletionSeconds,
                engine.Ends.Select(e => (e.Seconds, e.Outcome)).ToList(), engine.FailedFromThrottling,
                cost);
        }
        finally
        {
            File.Delete(idsFile);
        }
    }

    /// <summary>
    /// Runs <see cref="EngineProcess"/> (`dotnet` on this assembly, a command of its own) on the
    /// instances listed in <paramref name="idsFile"/> to its end, moving the simulator's clock
    /// wherever the engine's goes; its stderr is this process's.
    /// </summary>
    internal static async Task<EngineProcessResult> RunEngineProcessAsync(SimulatorHost host, SteppedClock clock, int seed, string idsFile)
    {
        // The dotnet host: this process when it is one (`dotnet EnaRemediate.Bench.dll`), else the one the SDK names (a test host).
        var dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } named ? named : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(EngineFleetRun).Assembly.Location);
        foreach (var argument in EngineProcess.Arguments(host.Endpoint, seed, idsFile, RescueImages(host)))
        {
            start.ArgumentList.Add(argument);
        }
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dotnet}");
        EngineProcessResult? result = null;
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(EngineProcess.AdvancePrefix, StringComparison.Ordinal))
            {
                var to = new DateTimeOffset(long.Parse(line.AsSpan(EngineProcess.AdvancePrefix.Length), CultureInfo.InvariantCulture), TimeSpan.Zero);
                clock.Advance(to - clock.GetUtcNow());
                await child.StandardInput.WriteLineAsync("ok");
                await child.StandardInput.FlushAsync();
            }
            else if (line.StartsWith(EngineProcess.DonePrefix, StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<EngineProcessResult>(line[EngineProcess.DonePrefix.Length..]);
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }
        await child.WaitForExitAsync();
        return child.ExitCode == 0 && result is not null ? result
            : throw new InvalidOperationException($"the engine's process ended with exit code {child.ExitCode} and {(result is null ? "no" : "a")} result");
    }

    /// <summary>The scenario's rescue AMIs (named enaremediate-rescue-*) by architecture, for offline repair.</summary>
    public static IReadOnlyDictionary<string, string> RescueImages(SimulatorHost host) =>
        host.World.AllImages.Where(i => i.Name.StartsWith("enaremediate-rescue-", StringComparison.Ordinal))
            .GroupBy(i => i.Architecture).ToDictionary(g => g.Key, g => g.First().ImageId, StringComparer.Ordinal);

    /// <summary>The engine as the CLI's `simulate` builds it: the bench's pinned driver, poll jitter seeded with the fleet's seed, the scenario's rescue AMIs.</summary>
    public static RemediationService CreateService(Uri endpoint, IReadOnlyDictionary<string, string> rescueImages, TimeProvider clock, int seed, IRemediationStore store)
    {
        var options = new EngineOptions { JitterSeed = seed }.WithDriver(Sha256) with { Nitro = new NitroOptions { RescueImages = rescueImages } };
        return EngineFactory.Create(new AwsConnection("us-east-1", endpoint.ToString(), new BasicAWSCredentials("bench", "bench")),
            store, options, clock);
    }

    public static bool IsThrottling(string? reason) =>
        reason is not null && reason.Contains("RequestLimitExceeded", StringComparison.Ordinal);
}
