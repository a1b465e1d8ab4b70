using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// The budget of one process (the CLI, tests): a <see cref="TokenBucket"/> per action, made on first use.
/// Right wherever one process makes all of an account's calls; a deployment with many concurrent
/// Lambda environments shares one budget through the table instead.
/// </summary>
internal sealed class InProcessRateBudget(TimeProvider time) : IRateBudget
{
    private readonly Dictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    public Task<RateDecision> TryTakeAsync(string awsAction, (int Size, double RefillPerSecond) limit, CancellationToken cancellationToken)
    {
        lock (_buckets)
        {
            return Task.FromResult(Bucket(awsAction, limit).TryTake(out var retryAfter) ? RateDecision.Granted : RateDecision.Wait(retryAfter));
        }
    }

    public DateTimeOffset? Reserve(string awsAction, (int Size, double RefillPerSecond) limit)
    {
        lock (_buckets)
        {
            return Bucket(awsAction, limit).Reserve();
        }
    }

    private TokenBucket Bucket(string key, (int Size, double RefillPerSecond) limit)
    {
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            bucket = new TokenBucket(limit.Size, limit.RefillPerSecond, time);
            _buckets[key] = bucket;
        }
        return bucket;
    }
}
