using System.Diagnostics;
using EnaRemediate.Simulator.Throttling;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Bench.Fleet;

/// <summary>What one fleet run cost: the client's CPU and peak working set, the simulator's CPU, wall time, the throttled requests by action.</summary>
internal sealed record RunCost(double ClientCpuSeconds, double SimulatorCpuSeconds, double PeakMiB, double WallSeconds, IReadOnlyDictionary<string, int> ThrottledByAction);

/// <summary>What a client that ran in a process of its own measured there: its CPU, its peak working set, its wall time.</summary>
internal sealed record ClientCost(double CpuSeconds, double PeakMiB, double WallSeconds);

/// <summary>
/// What one fleet run cost the machine: the simulator's CPU (inside its handlers, on its own
/// thread clock) and the throttled requests by action, always; and, for a client in this process
/// (<see cref="ForClientInProcess"/>), wall time, the client's CPU (the rest of the process: the
/// runbook, the SDK, both ends of the loopback HTTP, so an upper bound) and the peak working set,
/// sampled. A client in a process of its own (<see cref="ForClientElsewhere"/>) hands in its own.
/// </summary>
internal sealed class RunMeter : IDisposable
{
    private readonly RequestCounters _counters;
    private readonly ThrottleBuckets _throttle;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _throttled = new(StringComparer.Ordinal);
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TimeSpan _processCpu;
    private readonly TimeSpan _simulatorCpu;
    /// <summary>Null when the client is not in this process: this process's peak would be the simulator's.</summary>
    private readonly PeakSampler? _peak;

    private RunMeter(SimulatedWorld world, bool clientInProcess)
    {
        GC.Collect();
        _counters = world.Counters;
        _throttle = world.Throttle;
        _throttle.Rejected += CountRejected;
        _processCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _simulatorCpu = _counters.HandlerCpu;
        _peak = clientInProcess ? new PeakSampler() : null;
    }

    public static RunMeter ForClientInProcess(SimulatedWorld world) => new(world, clientInProcess: true);

    public static RunMeter ForClientElsewhere(SimulatedWorld world) => new(world, clientInProcess: false);

    /// <summary>The simulator's CPU in its handlers so far.</summary>
    public double SimulatorCpuSeconds => (_counters.HandlerCpu - _simulatorCpu).TotalSeconds;

    /// <summary>This process's CPU so far: the simulator's and, for a client in this process, the client's.</summary>
    public double ProcessCpuSeconds => (Process.GetCurrentProcess().TotalProcessorTime - _processCpu).TotalSeconds;

    /// <summary>Ends the run of a client in this process and says what it cost.</summary>
    public RunCost Stop()
    {
        var peak = _peak?.PeakMiB ?? throw new InvalidOperationException("the client ran elsewhere: stop with what it measured");
        var simulator = SimulatorCpuSeconds;
        return End(new ClientCost(ProcessCpuSeconds - simulator, peak, _wall.Elapsed.TotalSeconds), simulator);
    }

    /// <summary>Ends the run of a client in a process of its own, with what it measured there.</summary>
    public RunCost Stop(ClientCost client) => End(client, SimulatorCpuSeconds);

    public void Dispose()
    {
        _throttle.Rejected -= CountRejected;
        _peak?.Dispose();
    }

    private RunCost End(ClientCost client, double simulatorCpu)
    {
        Dispose();
        _wall.Stop();
        // Most throttled first.
        var throttled = _throttled.OrderByDescending(p => p.Value).ToDictionary(p => p.Key, p => p.Value);
        return new RunCost(client.CpuSeconds, simulatorCpu, client.PeakMiB, client.WallSeconds, throttled);
    }

    private void CountRejected(string action) => _throttled.AddOrUpdate(action, 1, (_, n) => n + 1);
}
