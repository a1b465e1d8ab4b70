using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Triage;
using EnaRemediate.Simulator;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Cli.Engine;

/// <summary>The `simulate --format json` document (issue 4): one entry per instance, and totals; the same for the same seed and arguments.</summary>
internal sealed record SimulationReport(string Scenario, int Seed, IReadOnlyList<SimulatedInstanceReport> Instances, SimulationTotals Totals)
{
    /// <summary>An instance whose alarm never fired: nothing to do.</summary>
    public const string Healthy = "healthy";
    /// <summary>An instance whose remediation was still running when the run was interrupted.</summary>
    public const string Unfinished = "unfinished";

    public static SimulationReport Build(SimulatorOptions options, SimulatedWorld world, StartResult started, AdvanceResult result,
        IReadOnlyList<string> all, CallCounter counter, int engineThrottled, double simulatedSeconds, DateTimeOffset now)
    {
        var startedById = started.Instances.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
        var recordById = result.Records.ToDictionary(r => r.InstanceId, StringComparer.Ordinal);
        var instances = all.Select(id =>
        {
            var instance = world.Instance(id);
            startedById.TryGetValue(id, out var start);
            recordById.TryGetValue(id, out var record);
            var outcome = start is null ? Healthy : record?.Outcome ?? start.Outcome ?? Unfinished;
            var refusal = start is null
                ? "healthy: nothing to do (its instance status check passes, so no alarm fired)."
                : start.RefusalCode is null ? null : start.Reason;
            var kernel = instance.RunningKernel is { } k ? instance.Guest?.Find(k) : null;
            return new SimulatedInstanceReport(
                id,
                instance.Type.Name,
                start?.Plan ?? "none",
                start?.Plan is PlanNames.TypeSwap or PlanNames.OfflineRepair ? start.Plan : null,
                outcome,
                refusal,
                record?.OutcomeReason,
                record?.StepsTaken ?? [],
                new FinalState(instance.State, instance.EnaSupport, instance.IsReachable(now), kernel?.Ena?.Version),
                counter.For(id),
                Math.Round(record?.ElapsedSeconds ?? 0));
        }).ToList();
        var totals = new SimulationTotals(world.Counters.Total, world.Counters.Throttled + engineThrottled, Math.Round(simulatedSeconds));
        return new SimulationReport(options.Scenario, options.Seed, instances, totals);
    }
}

internal sealed record SimulatedInstanceReport(
    string InstanceId, string InstanceType, string Plan, string? Route, string Outcome, string? RefusalReason, string? OutcomeReason,
    IReadOnlyList<string> Steps, FinalState Final, double ApiCalls, double SimulatedSeconds);

internal sealed record FinalState(string State, bool EnaSupport, bool Reachable, string? EnaModuleVersion);

/// <summary>The run's totals; simulated time only (the wall time a run took differs from run to run, so it goes to stderr).</summary>
internal sealed record SimulationTotals(long ApiCalls, long Throttled, double SimulatedSeconds);
