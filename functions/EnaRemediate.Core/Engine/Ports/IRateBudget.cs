namespace EnaRemediate.Core.Engine.Ports;

/// <summary>
/// The engine's share of EC2's rate limits, one token per mutating call. EC2 keeps its buckets per
/// account, so whoever makes calls for the account must take from one budget: the CLI's process
/// holds it in memory (the default), while in AWS every Advance of every execution takes from one
/// bucket item in the records table (<c>DynamoRateBudget</c>).
/// </summary>
public interface IRateBudget
{
    /// <summary>Takes one token of <paramref name="awsAction"/>'s bucket (<paramref name="limit"/>: its size and refill per second), or says how long until there may be one.</summary>
    Task<RateDecision> TryTakeAsync(string awsAction, (int Size, double RefillPerSecond) limit, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves the bucket's next token and says when it is there, where the budget can promise one
    /// (a process's own buckets: the record then sleeps exactly until its turn); null where it cannot
    /// (a shared table), and the caller asks again after the RetryAfter it was given.
    /// </summary>
    DateTimeOffset? Reserve(string awsAction, (int Size, double RefillPerSecond) limit) => null;
}

/// <summary>Whether a token was taken; when not, how long to wait before asking again.</summary>
public readonly record struct RateDecision(bool Taken, TimeSpan RetryAfter)
{
    public static readonly RateDecision Granted = new(true, TimeSpan.Zero);
    public static RateDecision Wait(TimeSpan retryAfter) => new(false, retryAfter);
}
