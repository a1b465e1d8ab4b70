namespace EnaRemediate.Simulator.Time;

/// <summary>
/// Simulated time that stands still while calls are in flight and moves only in steps: the one flow
/// of work driving a fleet (the engine's loop, a benchmark) either jumps it with <see cref="Advance"/>
/// or sleeps on it (Task.Delay(t, clock), and anything else built on its timers), and the sleep is
/// the jump. Nothing the fleet does depends on how long the machine took, so one seed gives one run.
/// It assumes that flow is alone in sleeping on it (two sleepers would each jump it to their own
/// wake-up); many concurrent sleepers need the bench's VirtualClock, which waits for all of them.
/// </summary>
public sealed class SteppedClock : TimeProvider
{
    private readonly Lock _sync = new();
    private readonly double? _pace;
    private DateTimeOffset _now;

    /// <param name="start">The simulated "now" to begin at (fixed, so that dates in a run repeat too).</param>
    /// <param name="pace">
    /// Null: a sleep ends as soon as the thread pool runs it. X (1–1000): a sleep of t also takes t/X of real time,
    /// to watch a run at X simulated seconds per second; the run is the same, only slower.
    /// </param>
    public SteppedClock(DateTimeOffset start, double? pace = null)
    {
        if (pace is not null && !(pace >= 1 && pace <= 1000))
        {
            throw new ArgumentOutOfRangeException(nameof(pace), pace, "pace must be between 1 and 1000");
        }
        _now = start;
        _pace = pace;
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_sync)
        {
            return _now;
        }
    }

    /// <summary>Elapsed-time measurements on this clock see simulated time too.</summary>
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock on by <paramref name="by"/> (never back).</summary>
    public void Advance(TimeSpan by)
    {
        lock (_sync)
        {
            _now += by > TimeSpan.Zero ? by : TimeSpan.Zero;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new SteppedTimer(this, callback, state, dueTime, period);

    /// <summary>Moves the clock to <paramref name="at"/> unless it is already past it.</summary>
    private void AdvanceTo(DateTimeOffset at)
    {
        lock (_sync)
        {
            _now = at > _now ? at : _now;
        }
    }

    private TimeSpan RealTimeFor(TimeSpan simulated) =>
        _pace is { } pace ? TimeSpan.FromTicks((long)(simulated.Ticks / pace)) : TimeSpan.Zero;

    /// <summary>
    /// A timer of the one sleeper: when it is due (at once, or after its paced real time) the clock jumps
    /// to its simulated due time and the callback runs. Disposed first (a cancelled sleep), the clock does not move.
    /// </summary>
    private sealed class SteppedTimer : ITimer
    {
        private readonly SteppedClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly ITimer _wake;
        private readonly Lock _sync = new();
        private DateTimeOffset _dueAt;
        private TimeSpan _period;
        private bool _disposed;

        public SteppedTimer(SteppedClock clock, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
            _wake = System.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Change(dueTime, period);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_sync)
            {
                if (_disposed)
                {
                    return false;
                }
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return _wake.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
                var due = dueTime > TimeSpan.Zero ? dueTime : TimeSpan.Zero;
                _dueAt = _clock.GetUtcNow() + due;
                return _wake.Change(_clock.RealTimeFor(due), Timeout.InfiniteTimeSpan);
            }
        }

        private void Fire()
        {
            lock (_sync)
            {
                if (_disposed)
                {
                    return;
                }
                _clock.AdvanceTo(_dueAt);
                if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
                {
                    _dueAt += _period;
                    _wake.Change(_clock.RealTimeFor(_period), Timeout.InfiniteTimeSpan);
                }
            }
            _callback(_state);
        }

        public void Dispose()
        {
            lock (_sync)
            {
                _disposed = true;
            }
            _wake.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
