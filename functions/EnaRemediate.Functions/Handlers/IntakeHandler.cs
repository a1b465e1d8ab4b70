using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Notifications;
using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Intake;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// intake: any trigger → a request → records (the engine's StartAsync takes the per-instance lock).
/// Rejected input throws <see cref="InvalidRequestException"/> before anything is called; ignored
/// alarms are answered with the reason. Its answer is what the workflow advances: when invoked
/// asynchronously (SNS, alarm action) Lambda's success destination hands it to the state machine.
/// </summary>
public sealed class IntakeHandler(TriggerNormaliser normaliser, RemediationService engine, NotificationComposer notifications) : IFunctionHandler
{
    public const string Started = "started";
    public const string NothingToRun = "nothing-to-run";
    public const string Ignored = "ignored";

    public async Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var decision = normaliser.Normalise(invocation.Payload);
        invocation.Log.Info("intake decision", new { outcome = decision.Outcome.ToString(), decision.Reason });
        switch (decision.Outcome)
        {
            case IntakeOutcome.Rejected:
                throw new InvalidRequestException(decision.Reason);
            case IntakeOutcome.Ignored:
                return JsonOutput.Write(new IntakeAnswer(Ignored, decision.Reason, [], [], notifications.ForIgnored(decision.Reason)));
        }

        var start = await engine.StartAsync(decision.Request!, cancellationToken);
        invocation.Log.Info("records started", new { remediationIds = start.RemediationIds, instances = start.Instances.Select(i => new { i.InstanceId, i.Plan, i.Outcome }) });
        return IntakeAnswer.Write(start, decision.Reason, notifications, IntakeAnswer.BudgetFor(invocation.Payload));
    }
}
