using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Functions.Tests.Support;

/// <summary>
/// Simulated time for executions that run at once (a Distributed Map's child workflows): the
/// clock stands still while any execution is working (its Lambda invocations, real calls to the
/// simulator and dynalite), and when every one is in a Wait it jumps to the earliest wake-up. So
/// concurrent waits overlap as they do in Step Functions, and a Lambda invocation takes no
/// simulated time.
/// </summary>
public sealed class VirtualTime(FakeTimeProvider clock)
{
    private readonly object sync = new();
    private readonly PriorityQueue<TaskCompletionSource, (DateTimeOffset At, long Order)> sleepers = new();
    private long order;
    // The execution that created this is working.
    private int working = 1;

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>A Wait state: this execution sleeps for <paramref name="delay"/> of simulated time.</summary>
    public Task SleepAsync(TimeSpan delay)
    {
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (sync)
        {
            sleepers.Enqueue(wake, (clock.GetUtcNow() + (delay > TimeSpan.Zero ? delay : TimeSpan.Zero), order++));
            working--;
            WakeIfAllAsleep();
        }
        return wake.Task;
    }

    /// <summary>
    /// Runs the branches at once, at most <paramref name="concurrency"/> at a time (0: no limit),
    /// the caller waiting for all of them. The caller's working turn passes to the branches and
    /// back to it when the last one ends, so the clock never moves between a branch ending and
    /// the caller going on.
    /// </summary>
    public Task<T[]> ForkAsync<T>(IReadOnlyList<Func<Task<T>>> branches, int concurrency)
    {
        if (branches.Count == 0) return Task.FromResult(Array.Empty<T>());
        var results = new T[branches.Count];
        var all = new TaskCompletionSource<T[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        Exception? failure = null;
        var next = 0;
        var active = 0;

        void Start(int index) => Task.Run(async () =>
        {
            try { results[index] = await branches[index](); }
            catch (Exception e) { Interlocked.CompareExchange(ref failure, e, null); }
            lock (sync)
            {
                if (next < branches.Count)
                {
                    Start(next++); // this branch's turn passes to the next one
                    return;
                }
                if (--active > 0)
                {
                    working--;
                    WakeIfAllAsleep();
                    return;
                }
            }
            // The last branch's turn goes back to the caller.
            if (failure is null) all.SetResult(results);
            else all.SetException(failure);
        });

        lock (sync)
        {
            var first = concurrency <= 0 ? branches.Count : Math.Min(concurrency, branches.Count);
            working += first - 1;
            active = first;
            for (next = 0; next < first;) Start(next++);
        }
        return all.Task;
    }

    private void WakeIfAllAsleep()
    {
        if (working > 0 || !sleepers.TryPeek(out _, out var first)) return;
        clock.SetUtcNow(first.At);
        while (sleepers.TryPeek(out var sleeper, out var due) && due.At == first.At)
        {
            sleepers.Dequeue();
            working++;
            sleeper.SetResult();
        }
    }
}
