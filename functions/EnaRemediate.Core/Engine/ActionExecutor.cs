using System.Collections.Immutable;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Core.Engine;

/// <summary>A saved record and the call its step asked for.</summary>
internal sealed record PendingAction(RemediationRecord Record, EngineAction Action);

/// <summary>What became of one record's call: done (with memo to keep), failed (with AWS's error code when it gave one), or deferred by pacing/throttling.</summary>
internal sealed record ActionResult(RemediationRecord Record, EngineAction Action, string? Error = null, TimeSpan? Deferred = null, ImmutableDictionary<string, string>? Memo = null, string? ErrorCode = null);

/// <summary>
/// Makes the calls of one Advance: equal actions of many records become one call (one
/// StopInstances for many ids, one SendCommand per document and parameter set), paced by EC2's
/// token buckets. A batch refused for one bad instance is retried id by id, so one instance
/// cannot hold up the rest. Before a command is sent, the instance's recent invocations of that
/// document are read: one still running (sent by a run that crashed before saving its id, or by a
/// second workflow on the record) is adopted instead of starting a second one on the host.
/// Tokens come from <paramref name="budget"/>: the process's own buckets, or one shared by every execution.
/// </summary>
internal sealed class ActionExecutor(IEc2Port ec2, ISsmPort ssm, EngineOptions options, TimeProvider time, IRateBudget budget)
{
    private const int SendCommandMaxIds = 50;

    public int ThrottledCalls { get; private set; }

    public async Task<IReadOnlyList<ActionResult>> ExecuteAsync(IReadOnlyList<PendingAction> work, CancellationToken cancellationToken)
    {
        var results = new List<ActionResult>();
        var (adopted, toCall) = await AdoptInFlightAsync(work, cancellationToken);
        results.AddRange(adopted);
        var groups = toCall.GroupBy(w => w.Action switch
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

    /// <summary>
    /// Splits the work into commands already on the host (adopted: their id is kept as if just
    /// sent) and calls still to make. When the look itself fails the send is deferred, never made blind.
    /// </summary>
    private async Task<(List<ActionResult> Adopted, List<PendingAction> ToCall)> AdoptInFlightAsync(IReadOnlyList<PendingAction> work, CancellationToken cancellationToken)
    {
        var adopted = new List<ActionResult>();
        var toCall = work.Where(w => w.Action is not SendCommandAction).ToList();
        foreach (var document in work.Where(w => w.Action is SendCommandAction).GroupBy(w => ((SendCommandAction)w.Action).DocumentName, StringComparer.Ordinal))
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
                var mine = recent.Where(r => r.InstanceId == item.Record.InstanceId).OrderByDescending(r => r.RequestedAt).ToList();
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

    private static DateTimeOffset StepStartedAt(PendingAction item) =>
        DateTimeOffset.TryParse(item.Record.Memo.GetValueOrDefault(MemoKeys.StepStartedAt), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at)
            ? at : item.Record.UpdatedAt;

    private async Task<IReadOnlyList<ActionResult>> CallAsync(IReadOnlyList<PendingAction> chunk, bool splitOnError, CancellationToken cancellationToken)
    {
        var action = chunk[0].Action;
        if (options.RateLimits.TryGetValue(action.AwsAction, out var limit)
            && await budget.TryTakeAsync(action.AwsAction, limit, cancellationToken) is { Taken: false } refused)
        {
            return chunk.Select(w => new ActionResult(w.Record, w.Action, Deferred: refused.RetryAfter)).ToList();
        }
        var ids = chunk.Select(w => w.Record.InstanceId).ToList();
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
            return chunk.Select(w => new ActionResult(w.Record, w.Action, Error: $"{e.ErrorCode}: {e.Message}", ErrorCode: e.ErrorCode)).ToList();
        }
        catch (Exception e) when (Reconciler.IsCallFailure(e, cancellationToken))
        {
            // A transport failure: whether the call landed is unknown, and every step is safe to repeat.
            return chunk.Select(w => new ActionResult(w.Record, w.Action, Error: e.Message)).ToList();
        }
    }

    /// <summary>What a call returned: a SendCommand's command id, or what a plan-owned action wants remembered.</summary>
    private sealed record CallOutcome(string? CommandId, ImmutableDictionary<string, string>? Memo);

    private static readonly CallOutcome Nothing = new(null, null);

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
                return new CallOutcome(await ssm.SendCommandAsync(send.DocumentName, ids, send.Parameters, comment, cancellationToken), null);
            case PlanOwnedAction own:
                return new CallOutcome(null, await own.ExecuteAsync(cancellationToken));
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "the executor does not know this action");
        }
    }
}
