using System.Collections.Concurrent;

namespace EnaRemediate.Core.Plans.Steps;

/// <summary>
/// A read that many plan-owned calls of one look each make for one id (a volume before its move,
/// a snapshot while it completes). The executor reads all of the look's ids in one call before it
/// makes the calls; each call then takes its id's answer instead of reading it alone. Answers a
/// look did not take are forgotten when its calls are done, so no call acts on an older one.
/// </summary>
public interface IBatchedRead
{
    /// <summary>The read's IAM action: the pacing token the one call takes (and each call it answers then does not).</summary>
    string AwsAction { get; }

    /// <summary>Reads these ids in one call (at most <see cref="BatchedRead.MaxIdsPerCall"/>).</summary>
    Task PrimeAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>Drops the answers to these ids that were not taken.</summary>
    void Forget(IReadOnlyCollection<string> ids);

    /// <summary>Whether an answer to this id is waiting to be taken.</summary>
    bool Holds(string id);
}

/// <summary>The read a plan-owned call makes of its own, which a look can make once for many calls.</summary>
public sealed record BatchedRead(IBatchedRead Source, string Id)
{
    /// <summary>Ids per call: EC2's limit on the values of one filter, kept for explicit ids too.</summary>
    public const int MaxIdsPerCall = 200;
}

/// <summary>The answers of one batched read, each taken once, by the call that reads its id.</summary>
public sealed class PrimedReads<T>(string awsAction, Func<IReadOnlyCollection<string>, CancellationToken, Task<IReadOnlyDictionary<string, T>>> readMany) : IBatchedRead
    where T : class
{
    // Concurrent: two reconcilers of one process may share a plan; one writer per instance keeps their ids apart.
    private readonly ConcurrentDictionary<string, T> _answers = new(StringComparer.Ordinal);

    public string AwsAction => awsAction;

    public async Task PrimeAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        // An id EC2 does not answer for is not primed: its call reads it alone and learns why.
        foreach (var (id, answer) in await readMany(ids, cancellationToken))
        {
            _answers[id] = answer;
        }
    }

    public void Forget(IReadOnlyCollection<string> ids)
    {
        foreach (var id in ids)
        {
            _answers.TryRemove(id, out _);
        }
    }

    public bool Holds(string id) => _answers.ContainsKey(id);

    /// <summary>The look's answer for <paramref name="id"/> when it made one, else <paramref name="readOne"/>.</summary>
    public async Task<T?> TakeOrReadAsync(string id, Func<CancellationToken, Task<T?>> readOne, CancellationToken cancellationToken) =>
        _answers.TryRemove(id, out var answer) ? answer : await readOne(cancellationToken);
}
