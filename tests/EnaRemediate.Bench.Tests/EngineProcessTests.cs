using EnaRemediate.Bench.Fleet;
using EnaRemediate.Simulator;
using EnaRemediate.Simulator.Time;

namespace EnaRemediate.Bench.Tests;

/// <summary>
/// The engine's own process in a fleet run (<see cref="EngineProcess"/>): it recovers the fleet on
/// the bench's simulator with the two clocks in step (the simulator's ends where the engine's does,
/// and no Advance moved the engine's without it), so that its CPU and memory can be its own.
/// </summary>
public sealed class EngineProcessTests
{
    [Fact]
    public async Task TheEngineInItsOwnProcessRecoversTheFleetWithTheSimulatorsClockInStep()
    {
        var clock = new SteppedClock(EngineFleetRun.Start);
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "kernel-update", Instances = 3, Seed = 1, Clock = clock });
        var ids = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(ids, host.World.Instances.Select(i => i.InstanceId));

            var result = await EngineFleetRun.RunEngineProcessAsync(host, clock, seed: 1, ids);

            Assert.Equal(["recovered", "recovered", "recovered"], result.Ends.Select(e => e.Outcome));
            Assert.Equal(0, result.ClockJumps);
            Assert.Equal(result.CompletionSeconds, (clock.GetUtcNow() - EngineFleetRun.Start).TotalSeconds, 3);
            // Recovered as the simulator sees it, at the time the engine's clock says.
            Assert.All(host.World.Instances, i => Assert.True(i.IsReachable(clock.GetUtcNow()) && i.EnaSupport, $"{i.InstanceId} is not back with ENA on"));
            Assert.True(result.CpuSeconds > 0 && result.PeakMiB > 0, "the engine's process measured nothing");
        }
        finally
        {
            File.Delete(ids);
        }
    }
}
