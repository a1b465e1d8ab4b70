namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// Simulated time for many concurrent workers (the baseline's one thread per instance): time
/// stands still while any worker is running (its HTTP calls to the simulator in flight), and when
/// every worker is asleep it jumps to the earliest wake-up. Hours of EC2 time pass in seconds,
/// and every sleep (waiters, the SDK's retry back-off) is exactly as long as asked.
/// </summary>
internal sealed class VirtualClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _sync = new();
    private readonly PriorityQueue<TaskCompletionSource, (DateTimeOffset At, long Order)> _sleepers = new();
    private DateTimeOffset _now = start;
    private long _order;
    private int _running;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_sync)
        {
            return _now;
        }
    }

    /// <summary>Runs every worker to its end; the clock waits for each whenever it is not asleep.</summary>
    public Task RunAllAsync(IReadOnlyList<Func<Task>> workers)
    {
        Task all;
        lock (_sync)
        {
            // Held as one more running worker while launching, so that no early sleeper moves the clock.
            _running += workers.Count + 1;
            all = Task.WhenAll(workers.Select(RunOneAsync));
            _running--;
            WakeIfAllAsleep();
        }
        return all;
    }

    private async Task RunOneAsync(Func<Task> worker)
    {
        try
        {
            await Task.Yield();
            await worker();
        }
        finally
        {
            lock (_sync)
            {
                _running--;
                WakeIfAllAsleep();
            }
        }
    }

    /// <summary>Sleeps the calling worker for <paramref name="delay"/> of simulated time.</summary>
    public Task SleepAsync(TimeSpan delay)
    {
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sync)
        {
            _sleepers.Enqueue(wake, (_now + (delay > TimeSpan.Zero ? delay : TimeSpan.Zero), _order++));
            _running--;
            WakeIfAllAsleep();
        }
        return wake.Task;
    }

    private void WakeIfAllAsleep()
    {
        if (_running > 0 || !_sleepers.TryPeek(out _, out var first))
        {
            return;
        }
        _now = first.At;
        while (_sleepers.TryPeek(out var sleeper, out var due) && due.At == first.At)
        {
            _sleepers.Dequeue();
            _running++;
            sleeper.SetResult();
        }
    }
}
