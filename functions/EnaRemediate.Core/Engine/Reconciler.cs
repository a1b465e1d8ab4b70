using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// One level-triggered step for a batch of records (controller-runtime's Reconcile, for many):
/// observe every due instance in a few calls, let each record's current step decide from that
/// observation alone, save the decisions (undo entries first) with conditional writes, make the
/// calls grouped into batches, save the results, and say when to look again.
/// Crash-safe by construction: every call is preceded by a saved record that makes repeating the
/// decision harmless (steps act only from valid origin states), and no step waits in-process.
/// </summary>
public sealed class Reconciler
{
    internal const string RollbackStep = "rollback";
    private static readonly TimeSpan CoalesceWindow = TimeSpan.FromSeconds(10);
    private double _jitterFactor = 1;
    private readonly IRemediationStore _store;
    private readonly PlanRegistry _plans;
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly FactsGatherer _facts;
    private readonly ISsmPort _ssm;
    private readonly ActionExecutor _executor;
    private readonly Random _jitter;

    /// <param name="rateBudget">where mutating calls take their tokens; null keeps them in this process.</param>
    public Reconciler(IEc2Port ec2, ISsmPort ssm, IRemediationStore store, PlanRegistry plans, EngineOptions options, TimeProvider time, IAutoScalingPort? autoScaling = null, IRateBudget? rateBudget = null)
    {
        _store = store;
        _plans = plans;
        _options = options;
        _time = time;
        _ssm = ssm;
        _facts = new FactsGatherer(ec2, ssm, autoScaling);
        _executor = new ActionExecutor(ec2, ssm, options, time, rateBudget ?? new InProcessRateBudget(time));
        _jitter = options.JitterSeed is { } seed ? new Random(seed) : new Random();
    }

    /// <summary>Calls EC2/SSM refused with throttling since this reconciler was made.</summary>
    public int ThrottledCalls => _executor.ThrottledCalls;

    public async Task<AdvanceResult> AdvanceAsync(IReadOnlyList<string> remediationIds, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        // One jitter draw per Advance: records of one batch stay in step (so their calls keep
        // sharing batches) while separate workflows drift apart.
        _jitterFactor = 1 + 0.2 * _jitter.NextDouble();
        var latest = new Dictionary<string, RemediationRecord>(StringComparer.Ordinal);
        foreach (var id in remediationIds.Distinct(StringComparer.Ordinal))
        {
            if (await _store.GetAsync(id, cancellationToken) is { } record)
            {
                latest[id] = record;
            }
        }
        // Records due within the coalescing window are looked at now too, so that their calls join this batch.
        var due = latest.Values.Where(r => !r.IsFinished && (r.NextLookAt is null || r.NextLookAt <= now + CoalesceWindow)).ToList();
        if (due.Count > 0)
        {
            var (facts, readFailure) = await TryGatherAsync(due, cancellationToken);
            if (facts is null)
            {
                // The read itself failed (throttled, or EC2/SSM unavailable): every due record waits and looks again; none fails.
                foreach (var record in due)
                {
                    var deferred = DeferRead(record, readFailure!, now);
                    latest[record.RemediationId] = await TrySaveAsync(deferred, record.Version, cancellationToken) ?? record;
                }
                return Summarise(latest.Values, remediationIds, _time.GetUtcNow());
            }
            var invocations = await FetchInvocationsAsync(due, cancellationToken);
            var work = new List<PendingAction>();
            foreach (var record in due)
            {
                var (decided, action) = DecideIsolated(record, facts[record.InstanceId], invocations.GetValueOrDefault(record.RemediationId), now);
                if (decided == record)
                {
                    continue;
                }
                // Saved before any call: the undo entry and the intent are durable before EC2 is touched.
                var saved = await TrySaveAsync(decided, record.Version, cancellationToken);
                if (saved is null)
                {
                    latest[record.RemediationId] = await _store.GetAsync(record.RemediationId, cancellationToken) ?? record;
                    continue;
                }
                latest[saved.RemediationId] = saved;
                if (action is not null)
                {
                    work.Add(new PendingAction(saved, action));
                }
            }
            foreach (var result in await _executor.ExecuteAsync(work, cancellationToken))
            {
                var after = ApplyResult(result, _time.GetUtcNow());
                if (await TrySaveAsync(after, result.Record.Version, cancellationToken) is { } saved)
                {
                    latest[saved.RemediationId] = saved;
                }
            }
        }
        return Summarise(latest.Values, remediationIds, _time.GetUtcNow());
    }

    /// <summary>The facts of every due instance, or null when EC2 or SSM would not answer (the caller defers the batch).</summary>
    private async Task<(IReadOnlyDictionary<string, InstanceFacts>? Facts, string? Failure)> TryGatherAsync(List<RemediationRecord> due, CancellationToken cancellationToken)
    {
        try
        {
            return (await _facts.GatherAsync(due.Select(r => r.InstanceId).ToList(), cancellationToken), null);
        }
        catch (Exception e) when (IsCallFailure(e, cancellationToken))
        {
            return (null, Describe(e));
        }
    }

    private RemediationRecord DeferRead(RemediationRecord record, string failure, DateTimeOffset now)
    {
        var why = $"looking again later: the read failed ({failure})";
        var noted = record.LastEvent() == why ? record : record.WithEvent(now, why);
        return noted with { NextLookAt = now + Jittered(ReadRetry) };
    }

    private static readonly TimeSpan ReadRetry = TimeSpan.FromSeconds(30);

    /// <summary>An AWS error or a transport failure (not our own cancellation): a reason to wait, never to fail the batch.</summary>
    internal static bool IsCallFailure(Exception e, CancellationToken cancellationToken) =>
        e is AwsCallException or HttpRequestException or TimeoutException or IOException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        || e.GetType().FullName?.StartsWith("Amazon.", StringComparison.Ordinal) == true;

    internal static string Describe(Exception e) => e is AwsCallException aws ? $"{aws.ErrorCode}: {aws.Message}" : e.Message;

    /// <summary>
    /// <see cref="Decide"/> for one record, so that whatever goes wrong deciding it (a host output
    /// no judge foresaw, a bug in a step) is that record's failed attempt and never stops the rest of the batch.
    /// </summary>
    private (RemediationRecord Record, EngineAction? Action) DecideIsolated(RemediationRecord record, InstanceFacts facts, CommandInvocation? invocation, DateTimeOffset now)
    {
        try
        {
            return Decide(record, facts, invocation, now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var attempts = record.Attempts + 1;
            var noted = record.WithEvent(now, $"error deciding step {record.Step}: {e.GetType().Name}: {e.Message}");
            // The rollback has no rollback: past its limit the record ends, saying what it knows.
            if (record.Step == RollbackStep && attempts >= 2 * _options.MaxAttempts)
            {
                return (noted.Finish(Outcomes.Failed, $"{record.Memo.GetValueOrDefault(MemoKeys.FailureReason) ?? "the remediation failed"}; the rollback could not continue ({e.Message}); the instance is {facts.State}, enaSupport {(facts.Instance?.EnaSupport == true ? "on" : "off")}", now), null);
            }
            return (noted with { Attempts = attempts, NextLookAt = now + Jittered(Backoff(record.Attempts)) }, null);
        }
    }

    private static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(5 * Math.Pow(2, Math.Min(attempts, 5)));

    /// <summary>
    /// The invocations of the commands due records are waiting on: one ListCommandInvocations per
    /// command for everyone's status, and GetCommandInvocation (the output) only for the finished ones.
    /// </summary>
    private async Task<Dictionary<string, CommandInvocation?>> FetchInvocationsAsync(List<RemediationRecord> due, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, CommandInvocation?>(StringComparer.Ordinal);
        var waiting = due.Select(r => (Record: r, CommandId: r.Memo.GetValueOrDefault(MemoKeys.CommandId(r.Step))))
            .Where(w => w.CommandId is not null)
            .GroupBy(w => w.CommandId!, StringComparer.Ordinal);
        foreach (var command in waiting)
        {
            IReadOnlyDictionary<string, string> statuses;
            try
            {
                statuses = await _ssm.ListInvocationStatusesAsync(command.Key, cancellationToken);
            }
            catch (Exception e) when (IsCallFailure(e, cancellationToken))
            {
                // Not known this time: those records wait (their step's deadline still holds).
                continue;
            }
            foreach (var (record, _) in command)
            {
                if (!statuses.TryGetValue(record.InstanceId, out var status))
                {
                    result[record.RemediationId] = null;
                }
                else
                {
                    var running = new CommandInvocation(status, null, "", "");
                    result[record.RemediationId] = running.IsFinal
                        ? await TryGetInvocationAsync(command.Key, record.InstanceId, cancellationToken)
                        : running;
                }
            }
        }
        return result;
    }

    private async Task<CommandInvocation?> TryGetInvocationAsync(string commandId, string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            return await _ssm.GetCommandInvocationAsync(commandId, instanceId, cancellationToken);
        }
        catch (Exception e) when (IsCallFailure(e, cancellationToken))
        {
            return null;
        }
    }

    /// <summary>Runs the record's steps on one observation until one waits, acts or finishes.</summary>
    private (RemediationRecord Record, EngineAction? Action) Decide(RemediationRecord record, InstanceFacts facts, CommandInvocation? invocation, DateTimeOffset now)
    {
        if (!_plans.TryGet(record.Plan, out var plan))
        {
            return (record.Finish(Outcomes.Failed, $"this engine has no plan named '{record.Plan}'", now), null);
        }
        if (record.Step == RemediationRecord.InitialStep)
        {
            record = record.MoveTo(plan.Steps[0].Name, now);
        }
        // A bounded number of transitions per look: each Next is backed by the same observation.
        for (var hop = 0; hop <= plan.Steps.Count + 1; hop++)
        {
            var inRollback = record.Step == RollbackStep;
            var step = inRollback ? plan.Rollback : plan.Steps.FirstOrDefault(s => s.Name == record.Step);
            if (step is null)
            {
                return (record.Finish(Outcomes.Failed, $"plan {plan.Name} has no step '{record.Step}'", now), null);
            }
            var context = new StepContext(record, facts, now, _options, invocation);
            var decision = StepGuards.Before(context, step, inRollback)
                ?? StepGuards.After(context, step, step.Decide(context), inRollback);
            switch (decision)
            {
                case StepDecision.Wait wait:
                    var waiting = record.LastEvent() == wait.Why ? record : record.WithEvent(now, wait.Why);
                    return (waiting with { NextLookAt = now + Jittered(wait.After) }, null);
                case StepDecision.Next next:
                    var index = IndexOf(plan, step);
                    record = record.WithMemo(next.Memo).WithEvent(now, next.Event);
                    if (inRollback || index + 1 >= plan.Steps.Count)
                    {
                        return (record.Finish(Outcomes.Failed, $"plan {plan.Name} ran out of steps after {step.Name}", now), null);
                    }
                    record = record.MoveTo(plan.Steps[index + 1].Name, now);
                    invocation = null;
                    continue;
                case StepDecision.Fail fail when inRollback || plan.Rollback is null:
                    return (record.Finish(Outcomes.Failed, fail.Reason, now), null);
                case StepDecision.Fail fail:
                    record = record.WithEvent(now, $"failed: {fail.Reason}; rolling back")
                        .WithMemo(System.Collections.Immutable.ImmutableDictionary<string, string>.Empty
                            .Add(MemoKeys.FailureReason, $"{step.Name}: {fail.Reason}")
                            .Add(MemoKeys.FailedStep, step.Name))
                        .MoveTo(RollbackStep, now);
                    invocation = null;
                    continue;
                case StepDecision.Finish finish:
                    return (record.WithMemo(finish.Memo).Finish(finish.Outcome, finish.Reason, now), null);
                case StepDecision.Act when !step.ValidOriginStates.Contains(facts.State):
                    return (record with { NextLookAt = now + Jittered(TimeSpan.FromSeconds(5)) }, null);
                case StepDecision.Act act:
                    // A call deferred by pacing is decided again on the next look; log it once.
                    var acting = record.WithMemo(act.Memo);
                    acting = acting.LastEvent() == act.Event ? acting : acting.WithEvent(now, act.Event);
                    if (act.Undo is not null)
                    {
                        acting = acting with { UndoLog = acting.UndoLog.Add(act.Undo) };
                    }
                    return (acting with { NextLookAt = now + TimeSpan.FromSeconds(5) }, act.Action);
            }
        }
        return (record with { NextLookAt = now + Jittered(TimeSpan.FromSeconds(5)) }, null);
    }

    private RemediationRecord ApplyResult(ActionResult result, DateTimeOffset now)
    {
        var record = result.Record;
        return result switch
        {
            { Deferred: { } retryAfter } => record with { NextLookAt = now + Jittered(retryAfter) },
            { ErrorCode: StepGuards.CapacityError } => CapacityRefused(record, result, now),
            { Error: { } error } => record.WithEvent(now, $"{result.Action.AwsAction} failed: {error}") with
            {
                Attempts = record.Attempts + 1,
                NextLookAt = now + Jittered(Backoff(record.Attempts)),
            },
            _ => Accepted(record, result) with { NextLookAt = now + Jittered(FirstLookAfter(result.Action)) },
        };
    }

    /// <summary>An accepted call: its memo is kept, and it counts towards the step's limit of calls (see <see cref="StepGuards"/>).</summary>
    private static RemediationRecord Accepted(RemediationRecord record, ActionResult result)
    {
        var key = MemoKeys.Calls(record.Step, result.Action.AwsAction);
        var made = int.TryParse(record.Memo.GetValueOrDefault(key), out var n) ? n : 0;
        var memo = record.Memo.SetItem(key, (made + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (result.Action is StartAction)
        {
            memo = memo.Remove(MemoKeys.CapacitySince).Remove(MemoKeys.CapacityTries);
        }
        var accepted = record with { Memo = result.Memo is null ? memo : memo.SetItems(result.Memo) };
        return result.Memo?.FirstOrDefault(m => m.Key.EndsWith(".adopted", StringComparison.Ordinal)) is { Value: { } adopted }
            ? accepted.WithEvent(accepted.UpdatedAt, $"adopted command {adopted}, already on the host, instead of sending another")
            : accepted;
    }

    /// <summary>
    /// No capacity for the start is not the instance's fault and not a failed attempt: it is retried
    /// with backoff (30 s doubling to 10 min) until <see cref="EngineOptions.CapacityRetryFor"/> has passed since the first refusal.
    /// </summary>
    private RemediationRecord CapacityRefused(RemediationRecord record, ActionResult result, DateTimeOffset now)
    {
        var tries = int.TryParse(record.Memo.GetValueOrDefault(MemoKeys.CapacityTries), out var n) ? n : 0;
        var since = record.Memo.GetValueOrDefault(MemoKeys.CapacitySince) ?? now.ToString("O");
        var wait = TimeSpan.FromSeconds(Math.Min(600, 30 * Math.Pow(2, Math.Min(tries, 5))));
        return record.WithEvent(now, $"{result.Action.AwsAction}: {result.Error}; no capacity since {since}, retrying for up to {_options.CapacityRetryFor.TotalMinutes:0} min") with
        {
            Memo = record.Memo.SetItem(MemoKeys.CapacitySince, since).SetItem(MemoKeys.CapacityLastRefusedAt, now.ToString("O"))
                .SetItem(MemoKeys.CapacityTries, (tries + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            NextLookAt = now + Jittered(wait),
        };
    }

    /// <summary>How soon a call's effect is worth looking at: a stop takes tens of seconds, an attribute change is immediate.</summary>
    private static TimeSpan FirstLookAfter(EngineAction action) => action switch
    {
        StopAction => TimeSpan.FromSeconds(15),
        StartAction => TimeSpan.FromSeconds(10),
        SetEnaSupportAction => TimeSpan.FromSeconds(1),
        _ => TimeSpan.FromSeconds(5),
    };

    private static int IndexOf(IRemediationPlan plan, IPlanStep step)
    {
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            if (ReferenceEquals(plan.Steps[i], step))
            {
                return i;
            }
        }
        return -1;
    }

    private TimeSpan Jittered(TimeSpan after) => after * _jitterFactor;

    private async Task<RemediationRecord?> TrySaveAsync(RemediationRecord record, long expectedVersion, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.SaveAsync(record, expectedVersion, cancellationToken);
        }
        catch (StoreConflictException)
        {
            // Another Advance got there first; it owns this record's next move.
            return null;
        }
    }

    private static AdvanceResult Summarise(IEnumerable<RemediationRecord> records, IReadOnlyList<string> requested, DateTimeOffset now)
    {
        var summaries = records.Select(r => RecordSummary.From(r, now)).OrderBy(s => s.InstanceId, StringComparer.Ordinal).ToList();
        var unfinished = summaries.Where(s => s.Outcome is null).ToList();
        var wait = unfinished.Count == 0
            ? 0
            : (int)Math.Ceiling(Math.Clamp(unfinished.Min(s => ((s.NextLookAt ?? now) - now).TotalSeconds), 1, 300));
        var known = summaries.Select(s => s.RemediationId).ToHashSet(StringComparer.Ordinal);
        var unknown = requested.Distinct(StringComparer.Ordinal).Where(id => !known.Contains(id)).ToList();
        return new AdvanceResult(unfinished.Count == 0, wait, summaries) { UnknownRemediationIds = unknown };
    }
}
