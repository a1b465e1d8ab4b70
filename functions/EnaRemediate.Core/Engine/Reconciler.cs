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
public sealed partial class Reconciler
{
    internal const string RollbackStep = "rollback";
    private static readonly TimeSpan CoalesceWindow = TimeSpan.FromSeconds(10);
    private double _jitterFactor;
    private readonly IRemediationStore _store;
    private readonly PlanRegistry _plans;
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly FactsGatherer _facts;
    private readonly ISsmPort _ssm;
    private readonly ActionExecutor _executor;
    private readonly Random _jitter;
    private readonly CommandListing _listing;

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
        _listing = new CommandListing(time);
    }

    /// <summary>Calls EC2/SSM refused with throttling since this reconciler was made.</summary>
    public int ThrottledCalls => _executor.ThrottledCalls;

    public async Task<AdvanceResult> AdvanceAsync(IReadOnlyList<string> remediationIds, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        // One jitter draw per Advance: records of one batch stay in step (so their calls keep
        // sharing batches) while separate workflows drift apart.
        _jitterFactor = _jitter.NextDouble();
        var batch = await ViewAsync(remediationIds, now, cancellationToken);
        // Records due within the coalescing window are looked at now too, so that their calls join
        // this batch; a record waiting for its rate-limit token comes exactly when the token is there.
        var due = batch.Due(now, CoalesceWindow, _executor.WaitsForToken);
        if (batch.ReadAt != now)
        {
            due = await RereadAsync(due, batch, now, cancellationToken);
        }
        if (due.Count > 0)
        {
            var invocations = await FetchInvocationsAsync(due, cancellationToken);
            // A record whose command finished moves on in this look, most often to a step that reads health.
            bool Finished(RemediationRecord r) => invocations.GetValueOrDefault(r.RemediationId)?.IsFinal == true;
            var described = due.Where(r => Finished(r) || StepOf(r)?.ObservesInstance(r) != false).ToList();
            var healthOf = described.Where(r => Finished(r) || StepOf(r)?.ObservesHealth(r) != false)
                .Select(r => r.ActingOn).ToHashSet(StringComparer.Ordinal);
            // The final health wait reads the agent's ping only in the look its checks pass (it was Online for the
            // validation before), and a wait for the agent asks SSM only for the Online ones; an instance
            // is read the lighter way only when every due record acting on it can do with it.
            var pingWhenChecksOk = new HashSet<string>(StringComparer.Ordinal);
            var pingAlways = new HashSet<string>(StringComparer.Ordinal);
            var pingOnlineOnly = new HashSet<string>(StringComparer.Ordinal);
            var pingExact = new HashSet<string>(StringComparer.Ordinal);
            foreach (var record in described)
            {
                var step = Finished(record) ? null : StepOf(record);
                (step?.ObservesPingOnlyWhenChecksOk(record) == true ? pingWhenChecksOk : pingAlways).Add(record.ActingOn);
                (step?.ObservesOnlyWhetherOnline(record, now - ActionExecutor.StepStartedAt(record), _options) == true ? pingOnlineOnly : pingExact).Add(record.ActingOn);
            }
            pingWhenChecksOk.ExceptWith(pingAlways);
            pingOnlineOnly.ExceptWith(pingExact);
            // A record whose step decides from the state alone gets it from DescribeInstanceStatus;
            // when the look describes anyway, a record whose next step reads the description joins
            // that call (it may move on in this look) instead of needing a second one.
            var describe = described.Where(r => StepOf(r)?.ObservesAttributes(r) != false)
                .Select(r => r.ActingOn).ToHashSet(StringComparer.Ordinal);
            if (describe.Count > 0)
            {
                describe.UnionWith(described.Where(r => SuccessorOf(r)?.ObservesAttributes(r) == true).Select(r => r.ActingOn));
            }
            var (facts, readFailure) = await TryGatherAsync(described, healthOf, describe, pingWhenChecksOk, pingOnlineOnly, cancellationToken);
            if (facts is null)
            {
                // The read itself failed (throttled, or EC2/SSM unavailable): every due record waits and looks again; none fails.
                foreach (var record in due)
                {
                    var deferred = DeferRead(record, readFailure!, now);
                    batch.Put(await TrySaveAsync(deferred, record.Version, cancellationToken) ?? record);
                }
                return Summarise(batch, _time.GetUtcNow());
            }
            var work = new List<PendingAction>();
            var toDescribe = new List<(RemediationRecord Found, RemediationRecord Moved, Observed First)>();
            foreach (var record in due)
            {
                // Not described: a record waiting for its command's result, whose step reads nothing else.
                var seen = facts.TryGetValue(record.ActingOn, out var f) ? f : null;
                var observed = new Observed(seen, healthOf.Contains(record.ActingOn), seen is not null && (seen.Described || describe.Contains(record.ActingOn)));
                var (decided, action) = DecideIsolated(record, observed, invocations.GetValueOrDefault(record.RemediationId), now);
                if (!decided.IsFinished && decided.Step != record.Step && (observed.Lacks(StepOf(decided), decided) & (Lack.Instance | Lack.Attributes)) != 0)
                {
                    // Moved on to a step that reads the description: it is read in this look, not the next.
                    toDescribe.Add((record, decided, observed));
                    continue;
                }
                await KeepAsync(record, decided, action, batch, work, now, cancellationToken);
            }
            if (toDescribe.Count > 0)
            {
                await DecideDescribedAsync(toDescribe, onlyMovedOn: false, batch, work, now, cancellationToken);
            }
            var changed = await ExecuteAndSaveAsync(work, batch, cancellationToken);
            for (var round = 0; round < SettleRounds && changed.Count > 0; round++)
            {
                changed = await SettleAsync(changed, batch, cancellationToken);
            }
        }
        return Summarise(batch, _time.GetUtcNow());
    }

    /// <summary>
    /// Saves one record's decision (the undo entry and the intent durable before any call) and
    /// queues its call; a record another writer moved meanwhile is taken as the store has it.
    /// </summary>
    private async Task KeepAsync(RemediationRecord record, RemediationRecord decided, EngineAction? action, BatchView batch, List<PendingAction> work, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (decided == record)
        {
            return;
        }
        // A send that an earlier look decided and whose answer was never saved may be on the host already.
        var maySentBefore = action is SendCommandAction && record.Memo.ContainsKey(MemoKeys.SendingSince(decided.Step));
        if (action is SendCommandAction && !decided.Memo.ContainsKey(MemoKeys.SendingSince(decided.Step)))
        {
            decided = decided with { Memo = decided.Memo.SetItem(MemoKeys.SendingSince(decided.Step), now.ToString("O")) };
        }
        var saved = await TrySaveAsync(decided, record.Version, cancellationToken);
        if (saved is null)
        {
            batch.Put(await _store.GetAsync(record.RemediationId, cancellationToken) ?? record);
            return;
        }
        batch.Put(saved);
        if (action is not null)
        {
            work.Add(new PendingAction(saved, action, maySentBefore));
        }
    }

    /// <summary>A batch this small is read whole on every Advance (what another writer changed shows at once).</summary>
    private const int ReadWholeUpTo = 256;

    /// <summary>
    /// A larger batch is read whole this often, in between only its due records are re-read: every
    /// 30 s, and no more than a hundred records a second of the store's reads (a DynamoDB read each in
    /// Lambda), so 100 s at 10,000 records. Another writer's change shows by then, or when the record is next due.
    /// </summary>
    private static TimeSpan ReadWholeEvery(int records) => TimeSpan.FromSeconds(Math.Max(30, records / 100.0));

    private BatchView? _batch;

    /// <summary>
    /// The batch's records: read whole from the store when the batch is new, small or not read for
    /// <see cref="ReadWholeEvery(int)"/> (into the same view when it holds the same records); otherwise
    /// as this reconciler last read or saved them.
    /// </summary>
    private async Task<BatchView> ViewAsync(IReadOnlyList<string> remediationIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_batch is { } known && known.Count > ReadWholeUpTo && now - known.ReadAt < ReadWholeEvery(known.Count) && known.Matches(remediationIds))
        {
            return known;
        }
        var records = new List<RemediationRecord>();
        foreach (var id in remediationIds.Distinct(StringComparer.Ordinal))
        {
            if (await _store.GetAsync(id, cancellationToken) is { } record)
            {
                records.Add(record);
            }
        }
        if (_batch is { } same && same.Matches(remediationIds) && same.TryRefresh(records, now))
        {
            return same;
        }
        return _batch = new BatchView(remediationIds, records, now);
    }

    /// <summary>The due records as the store has them now (another writer may have moved them); those no longer due wait.</summary>
    private async Task<List<RemediationRecord>> RereadAsync(List<RemediationRecord> due, BatchView batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var fresh = new List<RemediationRecord>(due.Count);
        foreach (var cached in due)
        {
            var record = await _store.GetAsync(cached.RemediationId, cancellationToken) ?? cached;
            batch.Put(record);
            if (!record.IsFinished && (record.NextLookAt ?? DateTimeOffset.MinValue) <= now + CoalesceWindow)
            {
                fresh.Add(record);
            }
        }
        return fresh;
    }

    /// <summary>The facts of every due instance, or null when EC2 or SSM would not answer (the caller defers the batch).</summary>
    private async Task<(IReadOnlyDictionary<string, InstanceFacts>? Facts, string? Failure)> TryGatherAsync(List<RemediationRecord> due, IReadOnlySet<string> healthOf, IReadOnlySet<string>? describe, IReadOnlySet<string>? pingWhenChecksOk, IReadOnlySet<string>? pingOnlineOnly, CancellationToken cancellationToken)
    {
        try
        {
            return (await _facts.GatherAsync(due.Select(r => r.ActingOn).ToList(), cancellationToken, healthOf, describe, pingWhenChecksOk, pingOnlineOnly), null);
        }
        catch (Exception e) when (IsCallFailure(e, cancellationToken))
        {
            return (null, Describe(e));
        }
    }

    /// <summary>The record's current step; null for unknown plans and steps (which read everything, to be safe).</summary>
    private IPlanStep? StepOf(RemediationRecord record)
    {
        if (!_plans.TryGet(record.Plan, out var plan))
        {
            return null;
        }
        return record.Step == RemediationRecord.InitialStep ? plan.Steps.FirstOrDefault()
            : record.Step == RollbackStep ? plan.Rollback
            : plan.Steps.FirstOrDefault(s => s.Name == record.Step);
    }

    /// <summary>The step after the record's current one in its plan; null at the end, in a rollback or for an unknown plan.</summary>
    private IPlanStep? SuccessorOf(RemediationRecord record)
    {
        if (!_plans.TryGet(record.Plan, out var plan) || record.Step == RollbackStep)
        {
            return null;
        }
        var index = StepOf(record) is { } step ? IndexOf(plan, step) : -1;
        return index >= 0 && index + 1 < plan.Steps.Count ? plan.Steps[index + 1] : null;
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

    internal static string Describe(Exception e) => OperatorText.Of(e);

    /// <summary>
    /// <see cref="Decide"/> for one record, so that whatever goes wrong deciding it (a host output
    /// no judge foresaw, a bug in a step) is that record's failed attempt and never stops the rest of the batch.
    /// </summary>
    private (RemediationRecord Record, EngineAction? Action) DecideIsolated(RemediationRecord record, Observed observed, CommandInvocation? invocation, DateTimeOffset now)
    {
        var described = observed.Facts;
        try
        {
            return Decide(record, observed, invocation, now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var attempts = record.Attempts + 1;
            var noted = record.WithEvent(now, $"error deciding step {record.Step}: {OperatorText.Of(e)}");
            // The rollback has no rollback: past its limit the record ends, saying what it knows.
            if (record.Step == RollbackStep && attempts >= 2 * _options.MaxAttempts)
            {
                return (noted.Finish(Outcomes.Failed, $"{record.Memo.GetValueOrDefault(MemoKeys.FailureReason) ?? "the remediation failed"}; the rollback could not continue ({OperatorText.Of(e)}); {(described is null ? "the instance was not looked at" : $"the instance is {described.State}, enaSupport {(described.Instance?.EnaSupport == true ? "on" : "off")}")}", now), null);
            }
            return (noted with { Attempts = attempts, NextLookAt = now + Jittered(Backoff(record.Attempts)) }, null);
        }
    }

    private static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(5 * Math.Pow(2, Math.Min(attempts, 5)));

    /// <summary>
    /// The invocations of the commands due records are waiting on: everyone's status in as few
    /// calls as SSM allows, with the finished ones' outputs where the listing holds them whole, and
    /// GetCommandInvocation only for a finished one whose output it cut.
    /// </summary>
    private async Task<Dictionary<string, CommandInvocation?>> FetchInvocationsAsync(List<RemediationRecord> due, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, CommandInvocation?>(StringComparer.Ordinal);
        var waiting = due.Select(r => (Record: r, Command: StepOf(r) is { } step ? step.AwaitsCommand(r) : AwaitedCommand.SentFor(r)))
            .Where(w => w.Command is not null)
            .Select(w => new WaitingOnCommand(w.Record, w.Command!.CommandId, w.Command.InstanceId, w.Command.Document))
            .GroupBy(w => w.Document ?? w.CommandId, StringComparer.Ordinal);
        foreach (var group in waiting)
        {
            var statuses = await StatusesAsync(group.ToList(), cancellationToken);
            if (statuses is null)
            {
                // Not known this time: those records wait (their step's deadline still holds).
                continue;
            }
            foreach (var w in group)
            {
                if (!statuses.TryGetValue((w.CommandId, w.InstanceId), out var status))
                {
                    result[w.Record.RemediationId] = null;
                }
                else
                {
                    result[w.Record.RemediationId] = status.InFlight ? new CommandInvocation(status.Status, null, "", "")
                        : status.Result ?? await TryGetInvocationAsync(w.CommandId, w.InstanceId, cancellationToken);
                }
            }
        }
        return result;
    }

    private sealed record WaitingOnCommand(RemediationRecord Record, string CommandId, string InstanceId, string? Document);

    /// <summary>
    /// The status of each (command, instance) of these records: one ListCommandInvocations per
    /// command, or, when that is dearer (many commands of one document: a fleet whose records
    /// became ready at different moments; <see cref="CommandListing"/>), the document's
    /// invocations since the oldest was sent, paged. Null when SSM would not answer.
    /// </summary>
    private async Task<Dictionary<(string CommandId, string InstanceId), RecentInvocation>?> StatusesAsync(List<WaitingOnCommand> group, CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<(string, string), RecentInvocation>();
        var commands = group.Select(w => w.CommandId).Distinct(StringComparer.Ordinal).ToList();
        try
        {
            // InvokedAfter is read to the second: a second earlier misses nothing.
            var since = group.Min(w => ActionExecutor.StepStartedAt(w.Record)) - TimeSpan.FromSeconds(1);
            var window = _time.GetUtcNow() - since;
            if (group[0].Document is { } document && _listing.ListsDocument(document, commands.Count, window))
            {
                var mine = commands.ToHashSet(StringComparer.Ordinal);
                var listed = await _ssm.ListRecentInvocationsAsync(document, since, cancellationToken);
                _listing.Listed(document, listed.Count, window);
                foreach (var invocation in listed)
                {
                    if (mine.Contains(invocation.CommandId))
                    {
                        statuses[(invocation.CommandId, invocation.InstanceId)] = invocation;
                    }
                }
                return statuses;
            }
            foreach (var command in commands)
            {
                foreach (var invocation in await _ssm.ListInvocationsAsync(command, cancellationToken))
                {
                    statuses[(command, invocation.InstanceId)] = invocation;
                }
            }
            return statuses;
        }
        catch (Exception e) when (IsCallFailure(e, cancellationToken))
        {
            return null;
        }
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

    /// <summary>
    /// Runs the record's steps on one observation until one waits, acts or finishes. A step reached
    /// by a transition that reads what this observation did not include (health, when the look
    /// began in a step that needed none; the instance, when it began waiting for a command; the
    /// description, when it began in a step that read only the state) is looked at again at once, with it.
    /// </summary>
    private (RemediationRecord Record, EngineAction? Action) Decide(RemediationRecord record, Observed observed, CommandInvocation? invocation, DateTimeOffset now)
    {
        var facts = observed.Facts ?? new InstanceFacts(record.ActingOn, null, null, null, null);
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
            if (observed.Lacks(step, record) != Lack.None)
            {
                return (record with { NextLookAt = now }, null);
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

    /// <summary>What one look read of a record's instance: its facts (null: not read), and whether they include its health and its description.</summary>
    private readonly record struct Observed(InstanceFacts? Facts, bool Health, bool Attributes)
    {
        /// <summary>What <paramref name="step"/>, where <paramref name="record"/> is in it, reads that this look did not.</summary>
        public Lack Lacks(IPlanStep? step, RemediationRecord record)
        {
            if (step is null)
            {
                return Lack.None;
            }
            var lacks = !Health && step.ObservesHealth(record) ? Lack.Health : Lack.None;
            if (step.ObservesInstance(record))
            {
                lacks |= Facts is null ? Lack.Instance : Lack.None;
                lacks |= !Attributes && step.ObservesAttributes(record) ? Lack.Attributes : Lack.None;
            }
            return lacks;
        }
    }

    [Flags]
    private enum Lack
    {
        None = 0,
        Health = 1,
        Instance = 2,
        Attributes = 4,
    }

    private RemediationRecord ApplyResult(ActionResult result, bool mayHaveSent, DateTimeOffset now)
    {
        var record = result.Record;
        return result switch
        {
            // A deferred call comes back when its token is there: later would waste the token.
            // A deferred send was certainly not made this time; unless an earlier look may have made it,
            // its next try need not look for it on the host.
            { Deferred: { } retryAfter } => record with { NextLookAt = now + retryAfter, Memo = mayHaveSent ? record.Memo : WithoutSendIntent(record, result.Action) },
            { ErrorCode: StepGuards.CapacityError } => CapacityRefused(record, result, now),
            { Error: { } error } => record.WithEvent(now, $"{result.Action.AwsAction} failed: {error}") with
            {
                Attempts = record.Attempts + 1,
                NextLookAt = now + Jittered(Backoff(record.Attempts)),
            },
            _ => Accepted(record, result, now) with { NextLookAt = now + Jittered(FirstLookAfter(result.Action)) },
        };
    }

    private static System.Collections.Immutable.ImmutableDictionary<string, string> WithoutSendIntent(RemediationRecord record, EngineAction action) =>
        action is SendCommandAction ? record.Memo.Remove(MemoKeys.SendingSince(record.Step)) : record.Memo;

    /// <summary>An accepted call: its memo is kept, and it counts towards the step's limit of calls (see <see cref="StepGuards"/>).</summary>
    private static RemediationRecord Accepted(RemediationRecord record, ActionResult result, DateTimeOffset now)
    {
        var key = MemoKeys.Calls(record.Step, result.Action.AwsAction);
        var made = int.TryParse(record.Memo.GetValueOrDefault(key), out var n) ? n : 0;
        var memo = record.Memo.SetItem(key, (made + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A step's timeout runs from its first accepted call, not from a wait for the engine's own pacing.
        memo = made == 0 ? memo.SetItem(MemoKeys.FirstAcceptedAt(record.Step, result.Action.AwsAction), now.ToString("O")) : memo;
        if (result.Action is StartAction)
        {
            memo = memo.Remove(MemoKeys.CapacitySince).Remove(MemoKeys.CapacityTries);
        }
        if (result.Action is SendCommandAction send)
        {
            memo = memo.SetItem(MemoKeys.CommandDocument(record.Step), send.DocumentName).Remove(MemoKeys.SendingSince(record.Step));
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

    /// <summary>How soon a call's effect is worth looking at: when the fastest such transition would be over.</summary>
    private static TimeSpan FirstLookAfter(EngineAction action) => action switch
    {
        StopAction { Force: true } => ExpectedLatencies.ForcedStop.Min,
        StopAction => ExpectedLatencies.Stop.Min,
        StartAction => ExpectedLatencies.Start.Min,
        _ when ChangesAtOnce(action) => TimeSpan.FromSeconds(1),
        PlanOwnedAction { AwsAction: "ec2:AttachVolume" or "ec2:DetachVolume" } => ExpectedLatencies.VolumeMove.Min,
        SendCommandAction send => send.Expected.Min,
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

    /// <summary>A wait plus up to a fifth of it, at most a second: enough for separate workflows to drift apart, never a phase's worth of lag.</summary>
    private TimeSpan Jittered(TimeSpan after) => after + TimeSpan.FromSeconds(Math.Min(1, after.TotalSeconds * 0.2) * _jitterFactor);

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

    /// <summary>
    /// The shortest wait between two Advances of a batch: a second for up to 19 records, a second
    /// more for every ten, six from sixty on, so that the looks (three or four calls each, shared
    /// by every due record) cost a bounded number of calls per record while a phase loses at most
    /// the interval. Six, measured (bench/RESULTS.md): at 100 records five cost 8.85 calls an
    /// instance, six 7.94, seven 7.17 but 1.076 of the floor on nitro-fleet.
    /// </summary>
    private static int LookInterval(int records) => Math.Clamp(records / 10, 1, 6);

    /// <summary>
    /// Done, the seconds until the soonest next look (rounded to the nearest: the coalescing window
    /// takes a record due a fraction later, so no phase waits a second more than it must) and the summaries.
    /// </summary>
    private static AdvanceResult Summarise(BatchView batch, DateTimeOffset now)
    {
        var wait = batch.NextLook is { } next ? (int)Math.Round(Math.Clamp((next - now).TotalSeconds, LookInterval(batch.Count), 300), MidpointRounding.AwayFromZero) : 0;
        return new AdvanceResult(batch.Done, wait, batch.Summaries(now)) { UnknownRemediationIds = batch.Unknown };
    }
}
