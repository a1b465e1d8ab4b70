using System.Collections.Immutable;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Core.Engine;

/// <summary>A saved record and the call its step asked for; <paramref name="MaySentBefore"/>: an earlier look decided this send and never saved its answer.</summary>
internal sealed record PendingAction(RemediationRecord Record, EngineAction Action, bool MaySentBefore = false);

/// <summary>What became of one record's call: done (with memo to keep), failed (with AWS's error code when it gave one), or deferred by pacing/throttling.</summary>
internal sealed record ActionResult(RemediationRecord Record, EngineAction Action, string? Error = null, TimeSpan? Deferred = null, ImmutableDictionary<string, string>? Memo = null, string? ErrorCode = null);

/// <summary>
/// Makes the calls of one Advance: equal actions of many records become one call (one
/// StopInstances for many ids, one SendCommand per document and parameter set), paced by EC2's
/// token buckets: per call, and per instance named (EC2's account-wide resource buckets of
/// StartInstances/StopInstances; ModifyInstanceAttribute names one instance a call). Instance
/// tokens go to the records that have waited longest in their step; a record that finds none
/// reserves the next one and is told to come back exactly then, so a queue of thousands is
/// served in order and only the records whose token is there wake up. A batch refused for one bad instance is retried id by id, so one instance
/// cannot hold up the rest. A command an earlier look decided and never saved the answer of (a run
/// that crashed after sending, or a second workflow on the record) is looked for among the
/// instance's recent invocations of that document first, and adopted instead of starting a second
/// one on the host; a send decided for the first time needs no look.
/// Tokens come from <paramref name="budget"/>: the process's own buckets, or one shared by every execution.
/// </summary>
internal sealed class ActionExecutor(IEc2Port ec2, ISsmPort ssm, EngineOptions options, TimeProvider time, IRateBudget budget)
{
    private const int SendCommandMaxIds = 50;

    /// <summary>Instance tokens owed to records (reserved ahead, or taken by a call still waiting for its call token), by remediation id.</summary>
    private readonly Dictionary<string, (string AwsAction, DateTimeOffset At)> _owed = new(StringComparer.Ordinal);

    public int ThrottledCalls { get; private set; }

    /// <summary>The record waits for an instance token reserved for a later moment: looking at it sooner would only defer it again.</summary>
    public bool WaitsForToken(string remediationId) => _owed.TryGetValue(remediationId, out var owed) && owed.At > time.GetUtcNow();

    public async Task<IReadOnlyList<ActionResult>> ExecuteAsync(IReadOnlyList<PendingAction> work, CancellationToken cancellationToken)
    {
        var results = new List<ActionResult>();
        var (adopted, wanting) = await AdoptInFlightAsync(work, cancellationToken);
        results.AddRange(adopted);
        var (toCall, waiting) = await HandOutInstanceTokensAsync(wanting, cancellationToken);
        results.AddRange(waiting);
        var groups = toCall.GroupBy(w => w.Action switch
        {
            SendCommandAction send => send.AwsAction + "\n" + send.GroupKey,
            // ModifyInstanceAttribute takes one instance per call.
            SetEnaSupportAction => w.Action.AwsAction + "\n" + w.Record.ActingOn,
            PlanOwnedAction => w.Action.AwsAction + "\n" + w.Record.RemediationId,
            var other => other.ToString(),
        });
        var primed = await PrimeReadsAsync(toCall, cancellationToken);
        try
        {
            foreach (var group in groups)
            {
                var items = group.ToList();
                var size = items[0].Action is SendCommandAction ? SendCommandMaxIds : options.MaxIdsPerCall;
                foreach (var chunk in items.Chunk(size))
                {
                    results.AddRange(await CallAsync(chunk, splitOnError: chunk.Length > 1, cancellationToken));
                }
            }
        }
        finally
        {
            foreach (var (source, ids) in primed)
            {
                source.Forget(ids);
            }
        }
        return results;
    }

    /// <summary>
    /// Makes, for each batched read two or more of these calls name, the one call that answers them
    /// all (paced as one read); each call then takes its answer. A read refused (pacing, throttling,
    /// an id gone) primes nothing: each call reads its own, as alone.
    /// </summary>
    private async Task<List<(Plans.Steps.IBatchedRead Source, string[] Ids)>> PrimeReadsAsync(IReadOnlyList<PendingAction> toCall, CancellationToken cancellationToken)
    {
        var primed = new List<(Plans.Steps.IBatchedRead, string[])>();
        var reads = toCall.Select(w => (w.Action as PlanOwnedAction)?.Reads).OfType<Plans.Steps.BatchedRead>().GroupBy(r => r.Source);
        foreach (var group in reads)
        {
            var ids = group.Select(r => r.Id).Distinct(StringComparer.Ordinal).ToArray();
            if (ids.Length < 2)
            {
                continue;
            }
            foreach (var chunk in ids.Chunk(Plans.Steps.BatchedRead.MaxIdsPerCall))
            {
                if (options.RateLimits.TryGetValue(group.Key.AwsAction, out var limit) && await budget.TryTakeAsync(group.Key.AwsAction, limit, cancellationToken) is { Taken: false })
                {
                    break;
                }
                try
                {
                    primed.Add((group.Key, chunk));
                    await group.Key.PrimeAsync(chunk, cancellationToken);
                }
                catch (Exception e) when (Reconciler.IsCallFailure(e, cancellationToken))
                {
                    ThrottledCalls += e is AwsCallException { Throttled: true } ? 1 : 0;
                }
            }
        }
        return primed;
    }

    /// <summary>
    /// The work whose instances have their tokens (oldest in its step first), and the rest deferred
    /// to the moment their reserved token is there (or, where the budget is shared and cannot
    /// reserve, to when it says to ask again).
    /// </summary>
    private async Task<(List<PendingAction> Admitted, List<ActionResult> Waiting)> HandOutInstanceTokensAsync(IReadOnlyList<PendingAction> work, CancellationToken cancellationToken)
    {
        var admitted = new List<PendingAction>();
        var waiting = new List<ActionResult>();
        var now = time.GetUtcNow();
        foreach (var item in work.OrderBy(StepStartedAt).ThenBy(w => w.Record.RemediationId, StringComparer.Ordinal))
        {
            var action = item.Action.AwsAction;
            var id = item.Record.RemediationId;
            if (InstanceBucket(item.Action) is not { } bucket)
            {
                admitted.Add(item);
                continue;
            }
            if (_owed.TryGetValue(id, out var owed) && owed.AwsAction == action)
            {
                if (owed.At <= now)
                {
                    admitted.Add(item);
                }
                else
                {
                    waiting.Add(new ActionResult(item.Record, item.Action, Deferred: owed.At - now));
                }
                continue;
            }
            var decision = await budget.TryTakeAsync(bucket.Key, bucket.Limit, cancellationToken);
            if (decision.Taken)
            {
                // Owed until the call is made: a call deferred for its call token does not pay twice.
                _owed[id] = (action, now);
                admitted.Add(item);
                continue;
            }
            if (budget.Reserve(bucket.Key, bucket.Limit) is { } at)
            {
                _owed[id] = (action, at);
                waiting.Add(new ActionResult(item.Record, item.Action, Deferred: at - now));
                continue;
            }
            waiting.Add(new ActionResult(item.Record, item.Action, Deferred: decision.RetryAfter));
        }
        return (admitted, waiting);
    }

    /// <summary>The bucket each instance a call names draws from, if any: a resource bucket, or the call bucket of a one-instance call.</summary>
    private (string Key, (int Size, double RefillPerSecond) Limit)? InstanceBucket(EngineAction action) =>
        options.InstanceRateLimits.TryGetValue(action.AwsAction, out var limit) ? ("instances:" + action.AwsAction, limit)
        : action is SetEnaSupportAction && options.RateLimits.TryGetValue(action.AwsAction, out var calls) ? (action.AwsAction, calls)
        : null;

    /// <summary>
    /// Splits the work into commands already on the host (adopted: their id is kept as if just
    /// sent) and calls still to make. When the look itself fails the send is deferred, never made blind.
    /// </summary>
    private async Task<(List<ActionResult> Adopted, List<PendingAction> ToCall)> AdoptInFlightAsync(IReadOnlyList<PendingAction> work, CancellationToken cancellationToken)
    {
        var adopted = new List<ActionResult>();
        // A send decided for the first time cannot be on the host: the decision is saved before
        // any call, so only a send an earlier look decided (and crashed or lost the answer of) is looked for.
        var toCall = work.Where(w => w.Action is not SendCommandAction || !w.MaySentBefore).ToList();
        foreach (var document in work.Where(w => w.Action is SendCommandAction && w.MaySentBefore).GroupBy(w => ((SendCommandAction)w.Action).DocumentName, StringComparer.Ordinal))
        {
            var since = document.Select(StepStartedAt).Append(time.GetUtcNow() - options.CommandTimeout).Min();
            IReadOnlyList<RecentInvocation> recent;
            try
            {
                recent = await ssm.ListRecentInvocationsAsync(document.Key, since, cancellationToken);
            }
            catch (Exception e) when (Reconciler.IsCallFailure(e, cancellationToken))
            {
                ThrottledCalls += e is AwsCallException { Throttled: true } ? 1 : 0;
                adopted.AddRange(document.Select(w => new ActionResult(w.Record, w.Action, Deferred: TimeSpan.FromSeconds(10))));
                continue;
            }
            foreach (var item in document)
            {
                var mine = recent.Where(r => r.InstanceId == item.Record.ActingOn).OrderByDescending(r => r.RequestedAt).ToList();
                // Running now (whoever sent it), or sent for this step since it began (a send whose id a crash lost).
                var found = mine.FirstOrDefault(r => r.InFlight)
                    ?? mine.FirstOrDefault(r => r.RequestedAt >= StepStartedAt(item) && CommandComments.Names(r.Comment, item.Record.Step));
                if (found is null)
                {
                    toCall.Add(item);
                }
                else
                {
                    var send = (SendCommandAction)item.Action;
                    adopted.Add(new ActionResult(item.Record, item.Action, Memo: ImmutableDictionary<string, string>.Empty
                        .Add(send.MemoKey, found.CommandId)
                        .Add(send.MemoKey + ".adopted", $"{found.CommandId} ({found.Status}, sent {found.RequestedAt:u})")));
                }
            }
        }
        return (adopted, toCall);
    }

    private static DateTimeOffset StepStartedAt(PendingAction item) => StepStartedAt(item.Record);

    /// <summary>When the record entered its current step (the memo the reconciler keeps), else its last update.</summary>
    internal static DateTimeOffset StepStartedAt(RemediationRecord record) =>
        DateTimeOffset.TryParse(record.Memo.GetValueOrDefault(MemoKeys.StepStartedAt), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at)
            ? at : record.UpdatedAt;

    private async Task<IReadOnlyList<ActionResult>> CallAsync(IReadOnlyList<PendingAction> chunk, bool splitOnError, CancellationToken cancellationToken)
    {
        var action = chunk[0].Action;
        // A one-instance call's call token is its instance token, already handed out.
        var paced = action is SetEnaSupportAction ? [] : (action is PlanOwnedAction owned ? owned.AlsoCalls : []).Prepend(action.AwsAction).ToList();
        // Its read already made with the look's others: that token was taken once for all of them.
        if (action is PlanOwnedAction { Reads: { } read } && read.Source.Holds(read.Id))
        {
            paced.Remove(read.Source.AwsAction);
        }
        foreach (var call in paced)
        {
            if (options.RateLimits.TryGetValue(call, out var limit) && await budget.TryTakeAsync(call, limit, cancellationToken) is { Taken: false } refused)
            {
                return chunk.Select(w => new ActionResult(w.Record, w.Action, Deferred: refused.RetryAfter)).ToList();
            }
        }
        foreach (var item in chunk)
        {
            _owed.Remove(item.Record.RemediationId);
        }
        var ids = chunk.Select(w => w.Record.ActingOn).ToList();
        try
        {
            var outcome = await InvokeAsync(action, ids, CommandComments.For(chunk.Select(w => w.Record.Step)), cancellationToken);
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
            return chunk.Select(w => new ActionResult(w.Record, w.Action, Error: $"{e.ErrorCode}: {e.ServiceMessage}", ErrorCode: e.ErrorCode)).ToList();
        }
        catch (Exception e) when (Reconciler.IsCallFailure(e, cancellationToken))
        {
            // A transport failure: whether the call landed is unknown, and every step is safe to repeat.
            return chunk.Select(w => new ActionResult(w.Record, w.Action, Error: OperatorText.Of(e))).ToList();
        }
    }

    /// <summary>What a call returned: a SendCommand's command id, or what a plan-owned action wants remembered.</summary>
    private sealed record CallOutcome(string? CommandId, ImmutableDictionary<string, string>? Memo);

    private static readonly CallOutcome Nothing = new(null, null);

    /// <summary>
    /// SendCommand; refused for its parameters while it carries optional ones, sent once more
    /// without them (<see cref="SendCommandAction.OptionalParameters"/>). A refused SendCommand
    /// made no command, so the second send cannot run the document twice.
    /// </summary>
    private async Task<string> SendAsync(SendCommandAction send, IReadOnlyList<string> ids, string comment, CancellationToken cancellationToken)
    {
        try
        {
            return await ssm.SendCommandAsync(send.DocumentName, ids, send.Parameters, comment, cancellationToken);
        }
        catch (AwsCallException e) when (e.ErrorCode == "InvalidParameters" && send.Parameters.Keys.Any(send.OptionalParameters.Contains))
        {
            var required = send.Parameters.Where(p => !send.OptionalParameters.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            return await ssm.SendCommandAsync(send.DocumentName, ids, required, comment, cancellationToken);
        }
    }

    private async Task<CallOutcome> InvokeAsync(EngineAction action, IReadOnlyList<string> ids, string comment, CancellationToken cancellationToken)
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
                return new CallOutcome(await SendAsync(send, ids, comment, cancellationToken), null);
            case PlanOwnedAction own:
                return new CallOutcome(null, await own.ExecuteAsync(cancellationToken));
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "the executor does not know this action");
        }
    }
}
