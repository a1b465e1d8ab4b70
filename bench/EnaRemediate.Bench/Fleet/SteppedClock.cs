namespace EnaRemediate.Bench.Fleet;

/// <summary>A clock that only moves when told: the engine's driver jumps it to each next look.</summary>
internal sealed class SteppedClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
