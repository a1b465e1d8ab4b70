namespace EnaRemediate.Core.Engine;

/// <summary>
/// EC2's own rate-limit shape (a bucket of tokens refilled per second), kept on our side so the
/// engine spreads calls instead of collecting RequestLimitExceeded. Tokens can also be reserved
/// ahead: the bucket goes into debt and the reservation names the moment the debt is paid, so a
/// queue of callers is served in the order it reserved and each caller comes back once, when its
/// token is there. Time comes from the TimeProvider.
/// </summary>
internal sealed class TokenBucket(int size, double refillPerSecond, TimeProvider time)
{
    /// <summary>Reservations are rounded up to the time this many tokens take, so that callers come back in groups that share calls.</summary>
    private const int GroupOf = 10;

    private double _tokens = size;
    private DateTimeOffset _last = time.GetUtcNow();

    /// <summary>Takes a token if one is free (not owed to a reservation); otherwise says how long until there will be.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        Refill();
        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }
        retryAfter = TimeSpan.FromSeconds((1 - _tokens) / refillPerSecond);
        return false;
    }

    /// <summary>Reserves the next token not yet owed: when it will be there (the caller makes its call then without taking another).</summary>
    public DateTimeOffset Reserve()
    {
        Refill();
        _tokens -= 1;
        var at = _last + TimeSpan.FromSeconds(Math.Max(0, -_tokens) / refillPerSecond);
        var group = TimeSpan.FromSeconds(Math.Max(1, GroupOf / refillPerSecond)).Ticks;
        return new DateTimeOffset((at.UtcTicks + group - 1) / group * group, TimeSpan.Zero);
    }

    private void Refill()
    {
        var now = time.GetUtcNow();
        _tokens = Math.Min(size, _tokens + (now - _last).TotalSeconds * refillPerSecond);
        _last = now;
    }
}
