using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Core.Plans;
using EnaRemediate.Simulator.Time;

namespace EnaRemediate.Bench.Fleet;

/// <summary>One instance's end in an engine run: seconds from the start, and its outcome.</summary>
internal sealed record EngineEnd(double Seconds, string Outcome);

/// <summary>What the engine's process reports when its run is done (the last line on its stdout).</summary>
internal sealed record EngineProcessResult(double CompletionSeconds, IReadOnlyList<EngineEnd> Ends, int FailedFromThrottling,
    double CpuSeconds, double PeakMiB, double WallSeconds, int ClockJumps);

/// <summary>
/// `engine-process --endpoint URL --seed S --ids FILE [--rescue-image ARCH=AMI]...`: the engine's
/// side of <see cref="EngineFleetRun"/>, in a process of its own, so that the CPU and the memory it
/// reports are the engine's (with the SDK and its end of the loopback HTTP), not the simulator's
/// world and garbage too. Started by the bench, not by hand. It owns the run's stepped clock:
/// after each Advance it moves its clock on and has the bench move the simulator's to the same
/// instant ("@advance TICKS" on stdout, answered "ok" on stdin); it ends with "@done JSON".
/// </summary>
internal static class EngineProcess
{
    public const string Command = "engine-process";
    public const string AdvancePrefix = "@advance ";
    public const string DonePrefix = "@done ";

    /// <summary>Simulated time after which a run that has not finished is reported as it stands (a fleet takes hours at most).</summary>
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(2);

    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        if (!TryParse(args, out var endpoint, out var seed, out var idsFile, out var rescueImages, out var error))
        {
            Console.Error.WriteLine($"{Command}: {error}");
            return 64;
        }
        var ids = (await File.ReadAllLinesAsync(idsFile)).Where(l => l.Length > 0).ToList();
        var clock = new SteppedClock(EngineFleetRun.Start);
        var store = new InMemoryRemediationStore();
        var service = EngineFleetRun.CreateService(endpoint, rescueImages, clock, seed, store);
        GC.Collect();
        using var peak = new PeakSampler();
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var started = await service.StartAsync(new RemediationRequest(ids, RemediationMode.Remediate, false, "bench", null));
        // Made once, as the CLI's loop does: StartResult computes the list each time it is asked for.
        var remediationIds = started.RemediationIds;
        var (clockJumps, progress) = (0, Stopwatch.StartNew());
        AdvanceResult result;
        while (true)
        {
            var before = clock.GetUtcNow();
            result = await service.AdvanceAsync(remediationIds);
            // The engine sleeping on the clock inside an Advance would move it without the simulator.
            clockJumps += clock.GetUtcNow() != before ? 1 : 0;
            if (result.Done || clock.GetUtcNow() - EngineFleetRun.Start > GiveUpAfter)
            {
                break;
            }
            clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
            Console.Out.WriteLine(AdvancePrefix + clock.GetUtcNow().UtcTicks.ToString(CultureInfo.InvariantCulture));
            if (Console.In.ReadLine() != "ok")
            {
                Console.Error.WriteLine($"{Command}: the bench stopped answering; giving up");
                return 70;
            }
            if (progress.Elapsed > TimeSpan.FromMinutes(1))
            {
                // What a run that is cut short got to: one line a minute of wall time.
                Console.Error.WriteLine($"engine progress: {wall.Elapsed.TotalSeconds:0} s wall, {(clock.GetUtcNow() - EngineFleetRun.Start).TotalSeconds:0} s simulated, " +
                    $"{result.Records.Count(r => r.Outcome is not null)} of {result.Records.Count} finished, engine CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds:0.0} s");
                progress.Restart();
            }
        }
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;
        var peakMiB = peak.PeakMiB;
        wall.Stop();
        foreach (var reason in result.Records.Where(r => r.Outcome != Outcomes.Recovered).GroupBy(r => r.OutcomeReason))
        {
            Console.Error.WriteLine($"engine: {reason.Count()} x {reason.Key}");
        }
        foreach (var line in StepTimes.Lines(await Task.WhenAll(remediationIds.Select(async id => (await store.GetAsync(id))!))))
        {
            Console.Error.WriteLine(line);
        }
        // Instances refused at the start (no record to advance) end there, with the outcome the start gave them.
        var refused = started.Instances.Where(i => i.Outcome is not null && !result.Records.Any(r => r.InstanceId == i.InstanceId)).Select(i => new EngineEnd(0, i.Outcome!));
        var report = new EngineProcessResult(
            (clock.GetUtcNow() - EngineFleetRun.Start).TotalSeconds,
            result.Records.Select(r => new EngineEnd(r.ElapsedSeconds, r.Outcome ?? "unfinished")).Concat(refused).ToList(),
            result.Records.Count(r => r.Outcome != Outcomes.Recovered && EngineFleetRun.IsThrottling(r.OutcomeReason)),
            cpu, peakMiB, wall.Elapsed.TotalSeconds, clockJumps);
        Console.Out.WriteLine(DonePrefix + JsonSerializer.Serialize(report));
        return 0;
    }

    /// <summary>The arguments the bench passes (<see cref="EngineFleetRun"/>).</summary>
    public static IEnumerable<string> Arguments(Uri endpoint, int seed, string idsFile, IReadOnlyDictionary<string, string> rescueImages) =>
        new[] { Command, "--endpoint", endpoint.ToString(), "--seed", seed.ToString(CultureInfo.InvariantCulture), "--ids", idsFile }
            .Concat(rescueImages.SelectMany(p => new[] { "--rescue-image", $"{p.Key}={p.Value}" }));

    private static bool TryParse(string[] args, out Uri endpoint, out int seed, out string idsFile, out Dictionary<string, string> rescueImages, out string error)
    {
        (endpoint, seed, idsFile, rescueImages, error) = (null!, 0, "", new Dictionary<string, string>(StringComparer.Ordinal), "");
        for (var n = 0; n + 1 < args.Length; n += 2)
        {
            var value = args[n + 1];
            switch (args[n])
            {
                case "--endpoint" when Uri.TryCreate(value, UriKind.Absolute, out var uri):
                    endpoint = uri;
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s):
                    seed = s;
                    break;
                case "--ids" when File.Exists(value):
                    idsFile = value;
                    break;
                case "--rescue-image" when value.Split('=', 2) is [{ Length: > 0 } arch, { Length: > 0 } image]:
                    rescueImages[arch] = image;
                    break;
                default:
                    error = $"bad argument '{args[n]} {value}'";
                    return false;
            }
        }
        if (args.Length % 2 != 0 || endpoint is null || idsFile.Length == 0)
        {
            error = "usage: engine-process --endpoint URL --seed S --ids FILE [--rescue-image ARCH=AMI]...";
            return false;
        }
        return true;
    }
}
