namespace EnaRemediate.Simulator.Throttling;

/// <summary>EC2's throttling unit: a bucket of <see cref="Capacity"/> tokens refilled at <see cref="RefillPerSecond"/>, on the simulator's clock.</summary>
public sealed class TokenBucket(double capacity, double refillPerSecond, DateTimeOffset now)
{
    private double _tokens = capacity;
    private DateTimeOffset _updated = now;

    public double Capacity { get; } = capacity;
    public double RefillPerSecond { get; } = refillPerSecond;

    public double Available(DateTimeOffset now)
    {
        Refill(now);
        return _tokens;
    }

    /// <summary>Takes <paramref name="cost"/> tokens if they are all there; takes none otherwise.</summary>
    public bool TryTake(DateTimeOffset now, double cost = 1)
    {
        Refill(now);
        if (_tokens < cost)
        {
            return false;
        }
        _tokens -= cost;
        return true;
    }

    private void Refill(DateTimeOffset now)
    {
        if (now > _updated)
        {
            _tokens = Math.Min(Capacity, _tokens + (now - _updated).TotalSeconds * RefillPerSecond);
            _updated = now;
        }
    }
}
