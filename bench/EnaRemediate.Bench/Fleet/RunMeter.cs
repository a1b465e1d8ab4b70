using System.Diagnostics;
using EnaRemediate.Simulator.Throttling;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Bench.Fleet;

/// <summary>What one fleet run cost: the client's CPU and peak working set, the simulator's CPU, wall time, the throttled requests by action.</summary>
internal sealed record RunCost(double ClientCpuSeconds, double SimulatorCpuSeconds, double PeakMiB, double WallSeconds, IReadOnlyDictionary<string, int> ThrottledByAction);

/// <summary>
/// What one fleet run cost the machine: wall time, the simulator's CPU (inside its handlers, on
/// its own thread clock), the client's CPU (the rest of the process: engine or runbook, the SDK,
/// both ends of the loopback HTTP, so an upper bound), the peak working set, sampled, and the
/// throttled requests by action.
/// </summary>
internal sealed class RunMeter : IDisposable
{
    private readonly RequestCounters _counters;
    private readonly ThrottleBuckets _throttle;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _throttled = new(StringComparer.Ordinal);
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TimeSpan _processCpu;
    private readonly TimeSpan _simulatorCpu;
    private readonly PeakSampler _peak;

    public RunMeter(SimulatedWorld world)
    {
        GC.Collect();
        _counters = world.Counters;
        _throttle = world.Throttle;
        _throttle.Rejected += CountRejected;
        _processCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _simulatorCpu = _counters.HandlerCpu;
        _peak = new PeakSampler();
    }

    public TimeSpan Elapsed => _wall.Elapsed;
    public double WallSeconds { get; private set; }
    public double ClientCpuSeconds { get; private set; }
    public double SimulatorCpuSeconds { get; private set; }
    public double PeakMiB { get; private set; }
    /// <summary>RequestLimitExceeded answers by action, most first.</summary>
    public IReadOnlyDictionary<string, int> ThrottledByAction => _throttled.OrderByDescending(p => p.Value).ToDictionary(p => p.Key, p => p.Value);

    /// <summary>What <see cref="Stop"/> measured.</summary>
    public RunCost Cost => new(ClientCpuSeconds, SimulatorCpuSeconds, PeakMiB, WallSeconds, ThrottledByAction);

    public void Stop()
    {
        _throttle.Rejected -= CountRejected;
        PeakMiB = _peak.PeakMiB;
        _peak.Dispose();
        _wall.Stop();
        WallSeconds = _wall.Elapsed.TotalSeconds;
        var simulator = _counters.HandlerCpu - _simulatorCpu;
        SimulatorCpuSeconds = simulator.TotalSeconds;
        ClientCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - _processCpu - simulator).TotalSeconds;
    }

    public void Dispose()
    {
        _throttle.Rejected -= CountRejected;
        _peak.Dispose();
    }

    private void CountRejected(string action) => _throttled.AddOrUpdate(action, 1, (_, n) => n + 1);
}
