using System.Collections.Immutable;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Engine.Validation;
using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.Diagnose;
using EnaRemediate.Core.Plans.Fallback;
using EnaRemediate.Core.Plans.ReregisterAmi;
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
    private readonly TimeProvider _time;
    private readonly FactsGatherer _facts;
    private readonly PlanRegistry _plans;
    private readonly Reconciler _reconciler;

    /// <param name="autoScaling">Auto Scaling membership and Standby; without it tagged members are refused.</param>
    public RemediationService(IEc2Port ec2, ISsmPort ssm, IRemediationStore store, EngineOptions options, TimeProvider time, IHostValidator? validator = null, IImagePort? images = null, IAutoScalingPort? autoScaling = null)
    {
        _ec2 = ec2;
        _store = store;
        _options = options;
        _time = time;
        _facts = new FactsGatherer(ec2, ssm, autoScaling);
        validator ??= new HostReportValidator();
        IRemediationPlan fallback = autoScaling is null ? new FallbackPlan(validator) : new Plans.Standby.StandbyPlan(new FallbackPlan(validator), autoScaling);
        _plans = new PlanRegistry([fallback, new DiagnosePlan(validator), .. images is null ? Array.Empty<IRemediationPlan>() : [new ReregisterAmiPlan(images, time)]]);
        _reconciler = new Reconciler(ec2, ssm, store, _plans, options, time, autoScaling);
    }

    public PlanRegistry Plans => _plans;

    /// <summary>Calls refused with throttling so far (reported by the CLI).</summary>
    public int ThrottledCalls => _reconciler.ThrottledCalls;

    /// <summary>Read-only: what <see cref="StartAsync"/> in Remediate mode would do for each instance, and why.</summary>
    public async Task<IReadOnlyList<InstancePlan>> PlanAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default)
    {
        var (facts, invalid) = await GatherValidAsync(instanceIds, cancellationToken);
        var plans = invalid.Select(id => new InstancePlan(TriageRules.Decide(new InstanceFacts(id, null, null, null, null), remediate: true), null, [])).ToList();
        foreach (var fact in facts.Values)
        {
            var triage = await TriageAsync(fact, remediate: true, cancellationToken);
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
        var dryRunChecks = request.DryRun ? await DryRunCheckAsync(facts.Values.ToList(), remediate, cancellationToken, AsgStandby(request)) : null;
        foreach (var fact in facts.Values)
        {
            var triage = await TriageAsync(fact, remediate, cancellationToken, AsgStandby(request));
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

    /// <summary>One level-triggered step for these records (see <see cref="Reconciler"/>).</summary>
    public Task<AdvanceResult> AdvanceAsync(IReadOnlyList<string> remediationIds, CancellationToken cancellationToken = default) =>
        _reconciler.AdvanceAsync(remediationIds, cancellationToken);

    private async Task<(IReadOnlyDictionary<string, InstanceFacts> Facts, List<string> Invalid)> GatherValidAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var distinct = instanceIds.Select(i => i?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
        var invalid = distinct.Where(i => !TriageRules.IsValidInstanceId(i)).ToList();
        var valid = distinct.Where(TriageRules.IsValidInstanceId).ToList();
        var facts = valid.Count == 0 ? new Dictionary<string, InstanceFacts>() : await _facts.GatherAsync(valid, cancellationToken);
        return (facts, invalid);
    }

    /// <summary>Triage, then the engine's own limits: an unfinished record, or a plan this engine cannot execute yet.</summary>
    private async Task<TriageResult> TriageAsync(InstanceFacts facts, bool remediate, CancellationToken cancellationToken, bool asgStandby = false)
    {
        var triage = TriageRules.Decide(facts, remediate, _options.OptInAll, _options.OptInTagKey, asgStandby);
        if (facts.Found && await _store.GetLatestAsync(facts.InstanceId, cancellationToken) is { IsFinished: false } running)
        {
            return AlreadyRemediating(facts.InstanceId, running);
        }
        if (!triage.Refused && triage.Plan == PlanNames.Fallback && _options.DriverConfigurationProblem is { } problem)
        {
            return TriageResult.Refuse(facts.InstanceId, triage.Plan, RefusalCodes.PlanNotAvailable, $"Engine configuration: {problem}; nothing was changed.");
        }
        if (triage.Refused || _plans.TryGet(triage.Plan, out _))
        {
            return triage;
        }
        return triage.Plan switch
        {
            PlanNames.OfflineRepair => TriageResult.Refuse(facts.InstanceId, triage.Plan, RefusalCodes.PlanNotAvailable,
                $"Needs offline repair (snapshot, rescue instance, chroot install): {triage.Reason} This engine does not carry out offline repair yet; nothing was changed."),
            PlanNames.ReregisterAmi => TriageResult.Refuse(facts.InstanceId, triage.Plan, RefusalCodes.PlanNotAvailable,
                $"Needs a re-registered AMI: {triage.Reason} This engine does not register AMIs yet; nothing was changed."),
            _ => TriageResult.Refuse(facts.InstanceId, triage.Plan, RefusalCodes.PlanNotAvailable, $"This engine has no plan named {triage.Plan}."),
        };
    }

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
                .SetItems(request.PlanOptions.Select(o => KeyValuePair.Create("option." + o.Key, o.Value))),
        }.WithEvent(now, $"triage: {triage.Plan}: {triage.Reason}");
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

    /// <summary>
    /// Lists each acting instance's calls and asks EC2 with DryRun whether it would allow the EC2
    /// ones (batched like the real run: one StopInstances and one StartInstances for all).
    /// SSM has no DryRun; its calls are listed as not checked.
    /// </summary>
    private async Task<Dictionary<string, IReadOnlyList<PlannedCall>>> DryRunCheckAsync(IReadOnlyList<InstanceFacts> facts, bool remediate, CancellationToken cancellationToken, bool asgStandby)
    {
        var planned = new Dictionary<string, IReadOnlyList<PlannedCall>>(StringComparer.Ordinal);
        foreach (var fact in facts)
        {
            planned[fact.InstanceId] = PlannedCalls(await TriageAsync(fact, remediate, cancellationToken, asgStandby), fact);
        }
        // Only instances with instance calls are DryRun-checked: an instance-store plan must not even DryRun a stop.
        var acting = planned.Where(p => p.Value.Any(c => c.Action is StopAction or StartAction or SetEnaSupportAction)).Select(p => p.Key).ToList();
        if (acting.Count == 0)
        {
            return planned;
        }
        var stopCheck = await DryRunAsync(() => _ec2.StopInstancesAsync(acting, force: false, dryRun: true, cancellationToken));
        var startCheck = await DryRunAsync(() => _ec2.StartInstancesAsync(acting, dryRun: true, cancellationToken));
        foreach (var id in acting)
        {
            var enaOff = await DryRunAsync(() => _ec2.SetEnaSupportAsync(id, false, dryRun: true, cancellationToken));
            var enaOn = await DryRunAsync(() => _ec2.SetEnaSupportAsync(id, true, dryRun: true, cancellationToken));
            planned[id] = planned[id].Select(call => call.Action switch
            {
                StopAction => call with { DryRunCheck = stopCheck },
                StartAction => call with { DryRunCheck = startCheck },
                SetEnaSupportAction { Enabled: false } => call with { DryRunCheck = enaOff },
                SetEnaSupportAction => call with { DryRunCheck = enaOn },
                _ => call with { DryRunCheck = "not checked: SSM has no DryRun" },
            }).ToList();
        }
        return planned;
    }

    private static async Task<string> DryRunAsync(Func<Task> call)
    {
        try
        {
            await call();
            return "permitted (EC2 DryRun)";
        }
        catch (AwsCallException e)
        {
            return $"refused by EC2 DryRun: {e.ErrorCode}: {e.Message}";
        }
    }
}
