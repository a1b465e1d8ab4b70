using System.Diagnostics;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// This process's peak working set over a run, sampled every 200 ms from the moment it is made
/// (the OS's own peak would count the start-up before the run too).
/// </summary>
internal sealed class PeakSampler : IDisposable
{
    private readonly Timer _timer;
    private long _peakBytes;

    public PeakSampler() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(200));

    /// <summary>The highest sample so far, this moment's included.</summary>
    public double PeakMiB
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _peakBytes) / (1024.0 * 1024.0);
        }
    }

    public void Dispose() => _timer.Dispose();

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
