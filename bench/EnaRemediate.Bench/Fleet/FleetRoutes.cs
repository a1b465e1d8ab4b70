using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Core.Triage;
using EnaRemediate.Simulator;
using EnaRemediate.Simulator.Time;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// The route the engine takes for each instance of a scenario fleet (fallback, type-swap,
/// offline-repair, or refused), asked of the engine itself with PlanAsync (which changes nothing)
/// on a simulator of its own, so that neither measured run pays its calls or tokens. Instance ids
/// follow the seed, so the routes name the instances of every run with the same scenario and seed.
/// </summary>
internal static class FleetRoutes
{
    public static async Task<IReadOnlyDictionary<string, string>> PlanAsync(string scenario, int instances, int seed)
    {
        var clock = new SteppedClock(EngineFleetRun.Start);
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = scenario, Instances = instances, Seed = seed, Clock = clock });
        var service = EngineFleetRun.CreateService(host.Endpoint, EngineFleetRun.RescueImages(host), clock, seed, new InMemoryRemediationStore());
        var plans = await service.PlanAsync(host.World.Instances.Select(i => i.InstanceId).ToList(), force: false, route: null);
        return plans.ToDictionary(p => p.Triage.InstanceId, p => p.Triage.Refused ? PlanNames.Refused : p.Triage.Plan, StringComparer.Ordinal);
    }
}
