namespace EnaRemediate.Simulator.Throttling;

/// <summary>
/// EC2's request throttling per account and Region (FACTS.md §4): one bucket per action, and for
/// StartInstances and StopInstances one resource bucket per action for the whole account, drained
/// by one token per instance a request touches. A request goes through only if its action bucket
/// has a token and its resource bucket has a token for every distinct instance it names.
/// </summary>
public sealed class ThrottleBuckets(TimeProvider clock)
{
    private readonly Dictionary<string, TokenBucket> _actions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TokenBucket> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double Size, double Refill)> _overrides = new(StringComparer.Ordinal);
    private readonly object _sync = new();

    /// <summary>Raised (outside any lock) with the action name each time a request is refused.</summary>
    public event Action<string>? Rejected;

    /// <summary>Turns throttling off entirely (benchmarks of the engine's own logic).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Documented sizes: (bucket size, refill per second).</summary>
    public static (double Size, double Refill) ActionLimit(string action, bool unfilteredDescribe) => action switch
    {
        "StartInstances" or "RunInstances" => (5, 2),
        "StopInstances" or "ModifyInstanceAttribute" or "RegisterImage" => (50, 5),
        "CreateTags" => (100, 10),
        _ when action.StartsWith("Describe", StringComparison.Ordinal) => unfilteredDescribe ? (50, 10) : (100, 20),
        _ => (50, 5),
    };

    /// <summary>The account-wide resource bucket of an action, if it has one: one token per instance touched.</summary>
    public static (double Size, double Refill)? ResourceLimit(string action) => action switch
    {
        "StartInstances" => (1000, 2),
        "StopInstances" => (1000, 20),
        _ => null,
    };

    /// <summary>Replaces an action's bucket size/refill (tests that want throttling sooner; the key may end in ":unfiltered").</summary>
    public void Override(string bucketKey, double size, double refillPerSecond)
    {
        lock (_sync)
        {
            _overrides[bucketKey] = (size, refillPerSecond);
            _actions.Remove(bucketKey);
        }
    }

    /// <summary>True when the request may proceed; takes its tokens then. False answers RequestLimitExceeded.</summary>
    public bool TryAdmit(string action, bool unfilteredDescribe, IReadOnlyCollection<string> instanceIds)
    {
        var admitted = Admit(action, unfilteredDescribe, instanceIds);
        if (!admitted)
        {
            Rejected?.Invoke(action);
        }
        return admitted;
    }

    private bool Admit(string action, bool unfilteredDescribe, IReadOnlyCollection<string> instanceIds)
    {
        if (!Enabled)
        {
            return true;
        }
        var now = clock.GetUtcNow();
        lock (_sync)
        {
            var key = unfilteredDescribe ? action + ":unfiltered" : action;
            if (!_actions.TryGetValue(key, out var bucket))
            {
                var (size, refill) = _overrides.TryGetValue(key, out var o) ? o : ActionLimit(action, unfilteredDescribe);
                bucket = new TokenBucket(size, refill, now);
                _actions[key] = bucket;
            }
            TokenBucket? resources = null;
            var touched = 0;
            if (ResourceLimit(action) is { } limit)
            {
                if (!_resources.TryGetValue(action, out resources))
                {
                    resources = new TokenBucket(limit.Size, limit.Refill, now);
                    _resources[action] = resources;
                }
                touched = instanceIds.Distinct(StringComparer.Ordinal).Count();
            }
            if (bucket.Available(now) < 1 || (resources is not null && resources.Available(now) < touched))
            {
                return false;
            }
            bucket.TryTake(now);
            resources?.TryTake(now, touched);
            return true;
        }
    }
}
