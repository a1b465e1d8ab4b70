using EnaRemediate.Core.Engine;
using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Intake;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// diagnose: read-only triage for the console (<c>{"instanceIds":["i-..."]}</c>): what each instance
/// looks like (both status checks, the SSM ping), "healthy: nothing to do" or the route remediation
/// would take or why it would refuse, and the calls it would make. Creates no record and changes nothing; the workflow in diagnose mode adds the host report.
/// </summary>
public sealed class DiagnoseHandler(TriggerNormaliser normaliser, RemediationService engine) : IFunctionHandler
{
    public async Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var decision = normaliser.Normalise(invocation.Payload);
        if (decision.Outcome == IntakeOutcome.Rejected) throw new InvalidRequestException(decision.Reason);
        if (decision.Outcome == IntakeOutcome.Ignored) return JsonOutput.Write(new { outcome = "ignored", reason = decision.Reason });

        var plans = await engine.PlanAsync(decision.Request!.InstanceIds, cancellationToken);
        var instances = plans.Select(p => (Plan: p, View: InstanceView.Of(p))).Select(x => new
        {
            x.View.InstanceId,
            x.View.Verdict,
            x.View.Healthy,
            x.View.Route,
            x.Plan.Triage.Plan,
            x.View.RefusalCode,
            x.View.Reason,
            x.View.IfBroken,
            x.View.State,
            instanceType = x.Plan.Facts?.Instance?.InstanceType,
            typeEnaSupport = x.Plan.Facts?.TypeEnaSupport,
            enaSupportAttribute = x.Plan.Facts?.Instance?.EnaSupport,
            rootDeviceType = x.Plan.Facts?.Instance?.RootDeviceType,
            systemStatus = x.View.SystemCheck,
            instanceStatus = x.View.InstanceCheck,
            ssmPingStatus = x.View.SsmPing,
            plannedCalls = x.Plan.PlannedCalls.Select(c => c.ToString()).ToList(),
        }).ToList();
        invocation.Log.Info("diagnosed", new { instances = instances.Select(i => new { i.InstanceId, i.Verdict }) });
        return JsonOutput.Write(new
        {
            outcome = "diagnosed",
            note = "Read-only: nothing was changed and no record was created. For the host report, run EnaRemediate-Recover with Mode=diagnose.",
            instances,
        });
    }
}
