using System.Collections.Immutable;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Core.Engine;

/// <summary>A saved record and the call its step asked for.</summary>
internal sealed record PendingAction(RemediationRecord Record, EngineAction Action);

/// <summary>What became of one record's call: done (with memo to keep), failed, or deferred by pacing/throttling.</summary>
internal sealed record ActionResult(RemediationRecord Record, EngineAction Action, string? Error = null, TimeSpan? Deferred = null, ImmutableDictionary<string, string>? Memo = null);

/// <summary>
/// Makes the calls of one Advance: equal actions of many records become one call (one
/// StopInstances for many ids, one SendCommand per document and parameter set), paced by EC2's
/// token buckets. A batch refused for one bad instance is retried id by id, so one instance
/// cannot hold up the rest.
/// </summary>
internal sealed class ActionExecutor(IEc2Port ec2, ISsmPort ssm, EngineOptions options, TimeProvider time)
{
    private const int SendCommandMaxIds = 50;
    private readonly Dictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    public int ThrottledCalls { get; private set; }

    public async Task<IReadOnlyList<ActionResult>> ExecuteAsync(IReadOnlyList<PendingAction> work, CancellationToken cancellationToken)
    {
        var results = new List<ActionResult>();
        var groups = work.GroupBy(w => w.Action switch
        {
            SendCommandAction send => send.AwsAction + "\n" + send.GroupKey,
            // ModifyInstanceAttribute takes one instance per call.
            SetEnaSupportAction => w.Action.AwsAction + "\n" + w.Record.InstanceId,
            PlanOwnedAction => w.Action.AwsAction + "\n" + w.Record.RemediationId,
            var other => other.ToString(),
        });
        foreach (var group in groups)
        {
            var items = group.ToList();
            var size = items[0].Action is SendCommandAction ? SendCommandMaxIds : options.MaxIdsPerCall;
            foreach (var chunk in items.Chunk(size))
            {
                results.AddRange(await CallAsync(chunk, splitOnError: chunk.Length > 1, cancellationToken));
            }
        }
        return results;
    }

    private async Task<IReadOnlyList<ActionResult>> CallAsync(IReadOnlyList<PendingAction> chunk, bool splitOnError, CancellationToken cancellationToken)
    {
        var action = chunk[0].Action;
        if (!TryTakeToken(action.AwsAction, out var retryAfter))
        {
            return chunk.Select(w => new ActionResult(w.Record, w.Action, Deferred: retryAfter)).ToList();
        }
        var ids = chunk.Select(w => w.Record.InstanceId).ToList();
        try
        {
            var outcome = await InvokeAsync(action, ids, cancellationToken);
            // One command can serve records of different steps (the same document and parameters):
            // each record keeps the id under its own step's key.
            return chunk.Select(w => new ActionResult(w.Record, w.Action,
                Memo: outcome.CommandId is { } commandId && w.Action is SendCommandAction send
                    ? ImmutableDictionary<string, string>.Empty.Add(send.MemoKey, commandId)
                    : outcome.Memo)).ToList();
        }
        catch (AwsCallException e) when (e.Throttled)
        {
            ThrottledCalls++;
            return chunk.Select(w => new ActionResult(w.Record, w.Action, Deferred: TimeSpan.FromSeconds(5))).ToList();
        }
        catch (AwsCallException) when (splitOnError)
        {
            var one = new List<ActionResult>();
            foreach (var item in chunk)
            {
                one.AddRange(await CallAsync([item], splitOnError: false, cancellationToken));
            }
            return one;
        }
        catch (AwsCallException e)
        {
            return chunk.Select(w => new ActionResult(w.Record, w.Action, Error: $"{e.ErrorCode}: {e.Message}")).ToList();
        }
    }

    /// <summary>What a call returned: a SendCommand's command id, or what a plan-owned action wants remembered.</summary>
    private sealed record CallOutcome(string? CommandId, ImmutableDictionary<string, string>? Memo);

    private static readonly CallOutcome Nothing = new(null, null);

    private async Task<CallOutcome> InvokeAsync(EngineAction action, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case StopAction stop:
                await ec2.StopInstancesAsync(ids, stop.Force, dryRun: false, cancellationToken);
                return Nothing;
            case StartAction:
                await ec2.StartInstancesAsync(ids, dryRun: false, cancellationToken);
                return Nothing;
            case SetEnaSupportAction ena:
                await ec2.SetEnaSupportAsync(ids[0], ena.Enabled, dryRun: false, cancellationToken);
                return Nothing;
            case SendCommandAction send:
                return new CallOutcome(await ssm.SendCommandAsync(send.DocumentName, ids, send.Parameters, "EnaRemediate", cancellationToken), null);
            case PlanOwnedAction own:
                return new CallOutcome(null, await own.ExecuteAsync(cancellationToken));
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "the executor does not know this action");
        }
    }

    private bool TryTakeToken(string awsAction, out TimeSpan retryAfter)
    {
        if (!options.RateLimits.TryGetValue(awsAction, out var limit))
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }
        if (!_buckets.TryGetValue(awsAction, out var bucket))
        {
            bucket = new TokenBucket(limit.Size, limit.RefillPerSecond, time);
            _buckets[awsAction] = bucket;
        }
        return bucket.TryTake(out retryAfter);
    }
}
