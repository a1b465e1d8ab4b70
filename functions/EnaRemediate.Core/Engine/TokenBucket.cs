namespace EnaRemediate.Core.Engine;

/// <summary>
/// EC2's own rate-limit shape (a bucket of tokens refilled per second), kept on our side so the
/// engine spreads calls instead of collecting RequestLimitExceeded. Time comes from the TimeProvider.
/// </summary>
internal sealed class TokenBucket(int size, double refillPerSecond, TimeProvider time)
{
    private double _tokens = size;
    private DateTimeOffset _last = time.GetUtcNow();

    /// <summary>Takes a token if there is one; otherwise says how long until there will be.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        _tokens = Math.Min(size, _tokens + (now - _last).TotalSeconds * refillPerSecond);
        _last = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }
        retryAfter = TimeSpan.FromSeconds((1 - _tokens) / refillPerSecond);
        return false;
    }
}
