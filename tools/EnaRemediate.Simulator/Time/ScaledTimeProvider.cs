using System.Diagnostics;

namespace EnaRemediate.Simulator.Time;

/// <summary>
/// The real clock running <see cref="Speed"/> times faster, starting from the real "now". Timers
/// fire after due/speed real time, so a caller sleeping on this clock (Task.Delay(t, clock))
/// sees simulated time pass at the same rate as the simulator does.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly DateTimeOffset _origin;
    private readonly long _originTimestamp;

    public ScaledTimeProvider(double speed)
    {
        if (!(speed >= 1 && speed <= 1000))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "speed must be between 1 and 1000");
        }
        Speed = speed;
        _origin = System.GetUtcNow();
        _originTimestamp = Stopwatch.GetTimestamp();
    }

    public double Speed { get; }

    public override DateTimeOffset GetUtcNow() =>
        _origin + TimeSpan.FromTicks((long)(Stopwatch.GetElapsedTime(_originTimestamp).Ticks * Speed));

    public override long GetTimestamp() =>
        _originTimestamp + (long)((Stopwatch.GetTimestamp() - _originTimestamp) * Speed);

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Shrink(dueTime), Shrink(period)), this);

    private TimeSpan Shrink(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : TimeSpan.FromTicks(Math.Max(1, (long)(span.Ticks / Speed)));

    private sealed class ScaledTimer(ITimer inner, ScaledTimeProvider clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.Shrink(dueTime), clock.Shrink(period));
        public void Dispose() => inner.Dispose();
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
