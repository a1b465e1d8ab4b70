using System.Collections.Immutable;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Engine.Validation;
using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.Diagnose;
using EnaRemediate.Core.Plans.Fallback;
using EnaRemediate.Core.Plans.OfflineRepair;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Core.Plans.TypeSwap;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// The engine's public face, the same for the Lambda handlers and the CLI:
/// <see cref="PlanAsync"/> (read-only triage), <see cref="StartAsync"/> (triage and create the
/// records, taking the per-instance lock) and <see cref="AdvanceAsync"/> (one level-triggered step).
/// </summary>
public sealed class RemediationService
{
    private readonly IEc2Port _ec2;
    private readonly IRemediationStore _store;
    private readonly EngineOptions _options;

    /// <summary>The options this engine runs with (a deployment's configuration, as its functions read it).</summary>
    public EngineOptions Options => _options;
    private readonly TimeProvider _time;
    private readonly FactsGatherer _facts;
    private readonly PlanRegistry _plans;
    private readonly Reconciler _reconciler;
    private readonly NitroFactsGatherer? _nitroFacts;
    private readonly DryRunChecker _dryRun;

    /// <param name="nitro">the calls of type-swap and offline-repair; without it ENA-required types are refused as before.</param>
    /// <param name="autoScaling">Auto Scaling membership and Standby; without it tagged members are refused.</param>
    /// <param name="rateBudget">the token buckets every caller for the account shares; null keeps them in this process (the CLI).</param>
    public RemediationService(IEc2Port ec2, ISsmPort ssm, IRemediationStore store, EngineOptions options, TimeProvider time, IHostValidator? validator = null, IImagePort? images = null, INitroPort? nitro = null, IAutoScalingPort? autoScaling = null, IRateBudget? rateBudget = null)
    {
        _ec2 = ec2;
        _store = store;
        _options = options;
        _time = time;
        _facts = new FactsGatherer(ec2, ssm, autoScaling);
        validator ??= new HostReportValidator();
        IRemediationPlan fallback = autoScaling is null ? new FallbackPlan(validator) : new Plans.Standby.StandbyPlan(new FallbackPlan(validator), autoScaling);
        _plans = new PlanRegistry([fallback, new DiagnosePlan(validator),
            .. images is null ? Array.Empty<IRemediationPlan>() : [new ReregisterAmiPlan(images, time, validator)],
            .. nitro is null ? Array.Empty<IRemediationPlan>() : [new TypeSwapPlan(nitro, validator), new OfflineRepairPlan(nitro, ssm, validator, time)]]);
        _nitroFacts = nitro is null ? null : new NitroFactsGatherer(nitro);
        _dryRun = new DryRunChecker(ec2, nitro);
        _reconciler = new Reconciler(ec2, ssm, store, _plans, options, time, autoScaling, rateBudget);
    }

    public PlanRegistry Plans => _plans;

    /// <summary>The <see cref="RemediationRequest.PlanOptions"/> key of the operator's route (type-swap or offline-repair).</summary>
    public const string RouteOption = "route";

    /// <summary>The plan options of the operator's choices: a route for ENA-required types, consent to Auto Scaling Standby.</summary>
    public static IReadOnlyDictionary<string, string> OperatorOptions(string? route, bool asgStandby)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (route is not null)
        {
            options[RouteOption] = route;
        }
        if (asgStandby)
        {
            options[AutoScalingRule.ConsentOption] = "true";
        }
        return options;
    }

    /// <summary>Calls refused with throttling so far (reported by the CLI).</summary>
    public int ThrottledCalls => _reconciler.ThrottledCalls;

    /// <summary>Read-only: what <see cref="StartAsync"/> in Remediate mode would do for each instance, and why.</summary>
    public Task<IReadOnlyList<InstancePlan>> PlanAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default) =>
        PlanAsync(instanceIds, force: false, route: null, cancellationToken);

    /// <summary>Read-only: what a (forced, when <paramref name="force"/>) <see cref="StartAsync"/> in Remediate mode would do.</summary>
    /// <param name="route">the operator's route for ENA-required types (type-swap or offline-repair); null lets the facts choose.</param>
    public async Task<IReadOnlyList<InstancePlan>> PlanAsync(IReadOnlyList<string> instanceIds, bool force, string? route, CancellationToken cancellationToken = default)
    {
        var (facts, invalid) = await GatherValidAsync(instanceIds, cancellationToken);
        var plans = invalid.Select(id => new InstancePlan(TriageRules.Decide(new InstanceFacts(id, null, null, null, null), remediate: true), null, [])).ToList();
        var request = new RemediationRequest(instanceIds, RemediationMode.Remediate, DryRun: false, "plan", null)
        {
            Force = force,
            PlanOptions = route is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [RouteOption] = route },
        };
        foreach (var fact in facts.Values)
        {
            var triage = await TriageAsync(fact, request, cancellationToken);
            plans.Add(new InstancePlan(triage, fact, PlannedCalls(triage, fact)));
        }
        return plans;
    }

    /// <summary>
    /// Triage and create one record per instance through <see cref="IRemediationStore.TryCreateAsync"/>
    /// (the per-instance lock). Refusals are recorded too, as finished records, so every request
    /// leaves an audit trail. A dry run lists and DryRun-checks the calls and changes nothing.
    /// </summary>
    public async Task<StartResult> StartAsync(RemediationRequest request, CancellationToken cancellationToken = default)
    {
        var remediate = request.Mode == RemediationMode.Remediate;
        var (facts, invalid) = await GatherValidAsync(request.InstanceIds, cancellationToken);
        var started = invalid.Select(id => StartedInstance.From(TriageRules.Decide(new InstanceFacts(id, null, null, null, null), remediate), null, [])).ToList();
        var dryRunChecks = request.DryRun ? await DryRunCheckAsync(facts.Values.ToList(), request, cancellationToken) : null;
        foreach (var fact in facts.Values)
        {
            var triage = await TriageAsync(fact, request, cancellationToken);
            var calls = request.DryRun ? dryRunChecks![fact.InstanceId] : [];
            var record = NewRecord(request, fact, triage, calls);
            var created = await _store.TryCreateAsync(record, cancellationToken);
            if (!created.Created)
            {
                triage = AlreadyRemediating(fact.InstanceId, created.Record);
            }
            started.Add(StartedInstance.From(triage, created.Created ? created.Record : null, calls));
        }
        return new StartResult(started);
    }

    /// <summary>The instance's unfinished record, if any: what an interrupted run resumes.</summary>
    public async Task<RemediationRecord?> LatestUnfinishedAsync(string instanceId, CancellationToken cancellationToken = default) =>
        await _store.GetLatestAsync(instanceId, cancellationToken) is { IsFinished: false } record ? record : null;

    /// <summary>
    /// Rolls a running remediation back now: the record moves to its plan's rollback step (which
    /// reads the undo log), so whoever advances it next (this process, another one, the deployed
    /// workflow) undoes what was changed. A plan without a rollback ends as failed, saying so.
    /// Returns the record as saved, null when there is none; a finished record is returned as it is.
    /// </summary>
    public async Task<RemediationRecord?> AbortAsync(string remediationId, string requestedBy, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (await _store.GetAsync(remediationId, cancellationToken) is not { IsFinished: false } record || record.Step == Reconciler.RollbackStep)
            {
                return await _store.GetAsync(remediationId, cancellationToken);
            }
            var now = _time.GetUtcNow();
            var why = $"aborted by {requestedBy} at step {record.Step}";
            var aborted = _plans.TryGet(record.Plan, out var plan) && plan.Rollback is not null
                ? record.WithEvent(now, $"{why}; rolling back")
                    .WithMemo(ImmutableDictionary<string, string>.Empty.Add(MemoKeys.FailureReason, why).Add(MemoKeys.FailedStep, record.Step))
                    .MoveTo(Reconciler.RollbackStep, now) with { NextLookAt = null }
                : record.Finish(Outcomes.Failed, $"{why}; this plan has no rollback: {(record.UndoLog.IsEmpty ? "nothing had been changed" : "what it changed stays: " + string.Join("; ", record.UndoLog.Select(u => u.Description)))}", now);
            try
            {
                return await _store.SaveAsync(aborted, record.Version, cancellationToken);
            }
            catch (StoreConflictException)
            {
                // Advanced meanwhile: abort the newer copy.
            }
        }
    }

    /// <summary>One level-triggered step for these records (see <see cref="Reconciler"/>).</summary>
    public Task<AdvanceResult> AdvanceAsync(IReadOnlyList<string> remediationIds, CancellationToken cancellationToken = default) =>
        _reconciler.AdvanceAsync(remediationIds, cancellationToken);

    private async Task<(IReadOnlyDictionary<string, InstanceFacts> Facts, List<string> Invalid)> GatherValidAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var distinct = instanceIds.Select(i => i?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
        var invalid = distinct.Where(i => !TriageRules.IsValidInstanceId(i)).ToList();
        var valid = distinct.Where(TriageRules.IsValidInstanceId).ToList();
        var facts = valid.Count == 0 ? new Dictionary<string, InstanceFacts>() : await GatherPatientlyAsync(valid, cancellationToken);
        if (_nitroFacts is not null && facts.Count > 0)
        {
            facts = await _nitroFacts.AddAsync(facts, cancellationToken);
        }
        return (facts, invalid);
    }

    /// <summary>Waits to read for triage (1, 2, 4, 8 s) when EC2 or SSM throttles it, rather than failing the start: throttling says "later", not "no".</summary>
    private async Task<IReadOnlyDictionary<string, InstanceFacts>> GatherPatientlyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await _facts.GatherAsync(ids, cancellationToken);
            }
            catch (AwsCallException e) when (e.Throttled && attempt < ThrottledTriageRetries)
            {
                await Task.Delay(TimeSpan.FromSeconds(1 << attempt), _time, cancellationToken);
            }
        }
    }

    private const int ThrottledTriageRetries = 4;

    /// <summary>
    /// Triage, then the engine's own limits: an unfinished record; parameters that would be
    /// refused later; for a plan that stops the instance, that it is observed broken and not in
    /// its cool-down (unless forced); a plan this engine cannot execute yet.
    /// </summary>
    private async Task<TriageResult> TriageAsync(InstanceFacts facts, RemediationRequest request, CancellationToken cancellationToken)
    {
        var triage = TriageRules.Decide(facts, request.Mode == RemediationMode.Remediate, _options.OptInAll, _options.OptInTagKey, request.PlanOptions.GetValueOrDefault(RouteOption), AsgStandby(request));
        if (facts.Found && await _store.GetLatestAsync(facts.InstanceId, cancellationToken) is { IsFinished: false } running)
        {
            return AlreadyRemediating(facts.InstanceId, running);
        }
        // A bad parameter is the request's fault whatever the instance: said first (a bad route would
        // otherwise read as "that route is not possible here").
        if (request.Mode == RemediationMode.Remediate && facts.Found
            && (ParameterValidator.Problem(_options) ?? ParameterValidator.Problem(request.PlanOptions, name => _plans.TryGet(name, out _))) is { } invalid)
        {
            return TriageResult.Refuse(facts.InstanceId, triage.Plan, RefusalCodes.InvalidParameters, $"Invalid parameter: {invalid}; nothing was changed.");
        }
        if (triage.Refused || !_plans.TryGet(triage.Plan, out var plan))
        {
            return triage.Refused ? triage : NotAvailable(facts, triage);
        }
        if (triage.Plan == PlanNames.DiagnoseOnly)
        {
            return triage;
        }
        if (InstallsDriver(plan) && _options.DriverConfigurationProblem is { } problem)
        {
            return TriageResult.Refuse(facts.InstanceId, triage.Plan, RefusalCodes.PlanNotAvailable, $"Engine configuration: {problem}; nothing was changed.");
        }
        if (triage.Plan == PlanNames.OfflineRepair && facts.Nitro?.Instance.Architecture is { } architecture && !_options.Nitro.RescueImages.ContainsKey(architecture))
        {
            return TriageResult.Refuse(facts.InstanceId, triage.Plan, RefusalCodes.PlanNotAvailable,
                $"{triage.Reason} But no rescue AMI is configured for {architecture} (one with the SSM agent: --rescue-image {architecture}=ami-…); nothing was changed.");
        }
        if (request.Force || !Admission.Disrupts(plan))
        {
            return triage;
        }
        return Admission.NotObservedBroken(facts, triage.Plan)
            ?? Admission.InCooldown(await _store.HistoryAsync(facts.InstanceId, cancellationToken), facts.InstanceId, triage.Plan, _options.Cooldown, _time.GetUtcNow())
            ?? triage;
    }

    /// <summary>The plan runs the driver install document at some step (so it needs the driver configured).</summary>
    private bool InstallsDriver(IRemediationPlan plan) =>
        plan.Name == PlanNames.OfflineRepair
        || plan.Steps.Select(s => s.PlannedAction(_options)).OfType<SendCommandAction>().Any(a => a.DocumentName == _options.InstallDocument);

    private static TriageResult NotAvailable(InstanceFacts facts, TriageResult triage) => triage.Plan switch
    {
        PlanNames.OfflineRepair => TriageResult.Refuse(facts.InstanceId, triage.Plan, RefusalCodes.PlanNotAvailable,
            $"Needs offline repair (snapshot, rescue instance, chroot install): {triage.Reason} This engine does not carry out offline repair yet; nothing was changed."),
        PlanNames.ReregisterAmi => TriageResult.Refuse(facts.InstanceId, triage.Plan, RefusalCodes.PlanNotAvailable,
            $"Needs a re-registered AMI: {triage.Reason} This engine does not register AMIs yet; nothing was changed."),
        _ => TriageResult.Refuse(facts.InstanceId, triage.Plan, RefusalCodes.PlanNotAvailable, $"This engine has no plan named {triage.Plan}."),
    };

    /// <summary>The operator's consent to Standby for Auto Scaling members, carried as a plan option.</summary>
    private static bool AsgStandby(RemediationRequest request) =>
        request.PlanOptions.TryGetValue(AutoScalingRule.ConsentOption, out var consent) && consent == "true";

    private static TriageResult AlreadyRemediating(string instanceId, RemediationRecord running) =>
        TriageResult.Refuse(instanceId, running.Plan, RefusalCodes.AlreadyRemediating,
            $"Already being remediated by {running.RemediationId} (step {running.Step}, started {running.CreatedAt:u}); one remediation per instance at a time.");

    private RemediationRecord NewRecord(RemediationRequest request, InstanceFacts facts, TriageResult triage, IReadOnlyList<PlannedCall> calls)
    {
        var now = _time.GetUtcNow();
        var record = new RemediationRecord
        {
            RemediationId = $"{facts.InstanceId}-{now:yyyyMMddTHHmmss}-{Guid.NewGuid().ToString("N")[..8]}",
            InstanceId = facts.InstanceId,
            Plan = triage.Refused ? PlanNames.Refused : triage.Plan,
            Trigger = request.Trigger,
            TriggerDetail = request.TriggerDetail,
            DryRun = request.DryRun,
            CreatedAt = now,
            UpdatedAt = now,
            Memo = ImmutableDictionary<string, string>.Empty
                .Add(MemoKeys.FoundState, facts.State)
                .Add(MemoKeys.FoundEnaSupport, facts.Instance?.EnaSupport == true ? "true" : "false")
                .Add(MemoKeys.FoundHealthy, facts.IsHealthyAndManaged ? "true" : "false")
                .Add(MemoKeys.FoundInstanceCheck, facts.Status?.InstanceStatus ?? "unknown")
                .SetItems(request.PlanOptions.Select(o => KeyValuePair.Create("option." + o.Key, o.Value)))
                .SetItems(triage.Memo),
        }.WithEvent(now, $"triage: {triage.Plan}: {triage.Reason}");
        if (request.Force && !triage.Refused)
        {
            record = record.WithEvent(now, $"forced by the request ({request.Trigger}): the observed-broken and cool-down checks were skipped") with
            {
                Memo = record.Memo.Add(MemoKeys.Forced, "true"),
            };
        }
        if (triage.Refused)
        {
            return record.Finish(Outcomes.Refused, triage.Reason ?? triage.RefusalCode!, now) with { Memo = record.Memo.Add("refusal.code", triage.RefusalCode!) };
        }
        if (request.DryRun)
        {
            foreach (var call in calls)
            {
                record = record.WithEvent(now, $"dry run: {call}");
            }
            return record.Finish(Outcomes.DryRun, $"{calls.Count} call(s) planned; nothing changed", now);
        }
        return record;
    }

    /// <summary>The calls the chosen plan makes on its happy path, in order.</summary>
    private IReadOnlyList<PlannedCall> PlannedCalls(TriageResult triage, InstanceFacts facts)
    {
        if (triage.Refused || !_plans.TryGet(triage.Plan, out var plan))
        {
            return [];
        }
        // An instance found stopped skips the first stop: there is nothing to stop yet.
        var actions = plan.Steps.Select(s => s.PlannedAction(_options)).OfType<EngineAction>().ToList();
        if (facts.State == "stopped" && actions.FirstOrDefault() is StopAction)
        {
            actions.RemoveAt(0);
        }
        return actions.Select(a => PlannedCall.For(a, facts.InstanceId)).ToList();
    }

    /// <summary>Lists each instance's calls and what EC2's DryRun says of them (see <see cref="DryRunChecker"/>).</summary>
    private async Task<Dictionary<string, IReadOnlyList<PlannedCall>>> DryRunCheckAsync(IReadOnlyList<InstanceFacts> facts, RemediationRequest request, CancellationToken cancellationToken)
    {
        var planned = new List<DryRunChecker.Planned>();
        foreach (var fact in facts)
        {
            var triage = await TriageAsync(fact, request, cancellationToken);
            planned.Add(new(fact, triage, PlannedCalls(triage, fact)));
        }
        return await _dryRun.CheckAsync(planned, cancellationToken);
    }
}
