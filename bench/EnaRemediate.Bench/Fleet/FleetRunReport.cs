using System.Text.Json;
using System.Text.Json.Serialization;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Bench.Fleet;

/// <summary>Calls the simulator received in one run.</summary>
internal sealed record ApiCalls(long Total, double PerInstance, IReadOnlyDictionary<string, long> ByAction);

/// <summary>One strategy on one fleet: the fields of issue 13's JSON document, in its order.</summary>
internal sealed record FleetRunReport(
    int Instances,
    string Scenario,
    int Seed,
    double? FloorSeconds,
    double CompletionSeconds,
    double? Ratio,
    double P50InstanceSeconds,
    double P99InstanceSeconds,
    ApiCalls ApiCalls,
    long ThrottledResponses,
    int FailedFromThrottling,
    double EngineCpuSeconds,
    double SimulatorCpuSeconds,
    double PeakEngineMemoryMiB,
    IReadOnlyDictionary<string, int> Outcomes)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FleetRunReport? Baseline { get; init; }

    /// <summary>Not part of the document (stderr only): how long the run took on this machine.</summary>
    [JsonIgnore]
    public double WallSeconds { get; init; }

    /// <summary>Not part of the document (stderr only): <see cref="ThrottledResponses"/> by action.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, int> ThrottledByAction { get; init; } = new Dictionary<string, int>();

    /// <summary>Not part of the document (stderr only): the floor with scarce tokens handed out in the order they were asked for, as a client that cannot see the future must.</summary>
    [JsonIgnore]
    public double? FirstAskedFloorSeconds { get; init; }

    /// <summary>Not part of the document (stderr only): the floor of each route's instances alone (sharing no tokens with the others).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, double?> RouteFloors { get; init; } = new Dictionary<string, double?>();

    private static readonly JsonSerializerOptions Indented = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };
    private static readonly JsonSerializerOptions Compact = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson(bool indented = true) => JsonSerializer.Serialize(this, indented ? Indented : Compact);

    /// <summary>
    /// Builds a report from what the run measured. The percentiles are of the seconds from start
    /// to recovery of the recovered instances (a lost instance's time says nothing about recovery),
    /// of every instance when none recovered.
    /// </summary>
    /// <param name="routes">the fleet (rescue instances the run launched are not part of it) and the engine's route for each.</param>
    public static FleetRunReport From(string scenario, int seed, SimulatedWorld world, IReadOnlyDictionary<string, string> routes, double completionSeconds,
        IReadOnlyList<(double Seconds, string Outcome)> ends, int failedFromThrottling, RunCost cost)
    {
        var instances = routes.Count;
        var floor = FleetFloor.Seconds(world.Instances, routes);
        var calls = world.Counters;
        var recovered = ends.Where(e => e.Outcome == "recovered").ToList();
        var sorted = (recovered.Count > 0 ? recovered : ends).Select(e => e.Seconds).Order().ToList();
        return new FleetRunReport(
            instances,
            scenario,
            seed,
            floor is { } f ? Math.Round(f, 1) : null,
            Math.Round(completionSeconds, 1),
            floor is > 0 ? Math.Round(completionSeconds / floor.Value, 3) : null,
            Math.Round(Percentile(sorted, 0.50), 1),
            Math.Round(Percentile(sorted, 0.99), 1),
            new ApiCalls(calls.Total, Math.Round(calls.Total / (double)Math.Max(1, instances), 2),
                calls.Snapshot().OrderByDescending(p => p.Value).ToDictionary(p => p.Key, p => p.Value)),
            calls.Throttled,
            failedFromThrottling,
            Math.Round(cost.ClientCpuSeconds, 3),
            Math.Round(cost.SimulatorCpuSeconds, 3),
            Math.Round(cost.PeakMiB, 1),
            ends.GroupBy(e => e.Outcome).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()))
        {
            WallSeconds = cost.WallSeconds,
            ThrottledByAction = cost.ThrottledByAction,
            FirstAskedFloorSeconds = FleetFloor.Seconds(world.Instances, routes, FleetFloor.TokenOrder.FirstAsked) is { } asked ? Math.Round(asked, 1) : null,
            RouteFloors = routes.GroupBy(r => r.Value).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key,
                g => FleetFloor.Seconds(world.Instances, g.ToDictionary(r => r.Key, r => r.Value)) is { } f ? Math.Round(f, 1) : (double?)null),
        };
    }

    // Nearest rank.
    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
