using System.Diagnostics;
using EnaRemediate.Simulator.Throttling;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Bench.Fleet;

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
    private readonly Timer _sampler;
    private long _peakBytes;

    public RunMeter(SimulatedWorld world)
    {
        GC.Collect();
        _counters = world.Counters;
        _throttle = world.Throttle;
        _throttle.Rejected += CountRejected;
        _processCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _simulatorCpu = _counters.HandlerCpu;
        _sampler = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
    }

    public TimeSpan Elapsed => _wall.Elapsed;
    public double WallSeconds { get; private set; }
    public double ClientCpuSeconds { get; private set; }
    public double SimulatorCpuSeconds { get; private set; }
    public double PeakMiB => Interlocked.Read(ref _peakBytes) / (1024.0 * 1024.0);
    /// <summary>RequestLimitExceeded answers by action, most first.</summary>
    public IReadOnlyDictionary<string, int> ThrottledByAction => _throttled.OrderByDescending(p => p.Value).ToDictionary(p => p.Key, p => p.Value);

    public void Stop()
    {
        _throttle.Rejected -= CountRejected;
        _sampler.Dispose();
        Sample();
        _wall.Stop();
        WallSeconds = _wall.Elapsed.TotalSeconds;
        var simulator = _counters.HandlerCpu - _simulatorCpu;
        SimulatorCpuSeconds = simulator.TotalSeconds;
        ClientCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - _processCpu - simulator).TotalSeconds;
    }

    public void Dispose()
    {
        _throttle.Rejected -= CountRejected;
        _sampler.Dispose();
    }

    private void CountRejected(string action) => _throttled.AddOrUpdate(action, 1, (_, n) => n + 1);

    private void Sample()
    {
        using var self = Process.GetCurrentProcess();
        var bytes = self.WorkingSet64;
        long seen;
        while (bytes > (seen = Interlocked.Read(ref _peakBytes)) && Interlocked.CompareExchange(ref _peakBytes, bytes, seen) != seen)
        {
        }
    }
}
