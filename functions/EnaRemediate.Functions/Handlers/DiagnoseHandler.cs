using EnaRemediate.Core.Engine;
using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Intake;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// diagnose: read-only triage for the console (<c>{"instanceIds":["i-..."]}</c>): what each instance
/// looks like, which plan remediation would choose or why it would refuse, and the calls it would
/// make. Creates no record and changes nothing; the workflow in diagnose mode adds the host report.
/// </summary>
public sealed class DiagnoseHandler(TriggerNormaliser normaliser, RemediationService engine) : IFunctionHandler
{
    public async Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var decision = normaliser.Normalise(invocation.Payload);
        if (decision.Outcome == IntakeOutcome.Rejected) throw new InvalidRequestException(decision.Reason);
        if (decision.Outcome == IntakeOutcome.Ignored) return JsonOutput.Write(new { outcome = "ignored", reason = decision.Reason });

        var plans = await engine.PlanAsync(decision.Request!.InstanceIds, cancellationToken);
        var instances = plans.Select(p => new
        {
            p.Triage.InstanceId,
            verdict = p.Triage.Refused ? "would refuse" : $"would run {p.Triage.Plan}",
            p.Triage.Plan,
            p.Triage.RefusalCode,
            p.Triage.Reason,
            state = p.Facts?.State,
            instanceType = p.Facts?.Instance?.InstanceType,
            typeEnaSupport = p.Facts?.TypeEnaSupport,
            enaSupportAttribute = p.Facts?.Instance?.EnaSupport,
            rootDeviceType = p.Facts?.Instance?.RootDeviceType,
            systemStatus = p.Facts?.Status?.SystemStatus,
            instanceStatus = p.Facts?.Status?.InstanceStatus,
            ssmPingStatus = p.Facts?.SsmPingStatus,
            plannedCalls = p.PlannedCalls.Select(c => c.ToString()).ToList(),
        }).ToList();
        invocation.Log.Info("diagnosed", new { instances = instances.Select(i => new { i.InstanceId, i.verdict }) });
        return JsonOutput.Write(new
        {
            outcome = "diagnosed",
            note = "Read-only: nothing was changed and no record was created. For the host report, run EnaRemediate-Recover with Mode=diagnose.",
            instances,
        });
    }
}
