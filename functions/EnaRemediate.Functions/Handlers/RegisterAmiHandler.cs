using System.Text.Json;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Intake;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// register-ami: <c>{"instanceIds":["i-…"],"launchReplacement":false,"dryRun":false}</c> (console
/// test event or the runbook's Mode=register-ami) → reregister-ami records for instance-store
/// instances only (docs/instance-store.md); anything else is refused untouched. With
/// <c>"thenRemediate":true,"bundleBucket":"BUCKET"</c> (and launchReplacement) the records go on to
/// the replacement journey. Answers like intake, so the workflow's Advance loop drives the records it started.
/// </summary>
public sealed class RegisterAmiHandler(TriggerNormaliser normaliser, RemediationService engine) : IFunctionHandler
{
    public async Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var decision = normaliser.Normalise(invocation.Payload);
        if (decision.Outcome != IntakeOutcome.Accepted)
        {
            throw new InvalidRequestException(decision.Outcome == IntakeOutcome.Rejected ? decision.Reason : "register-ami takes {\"instanceIds\":[\"i-…\"],\"launchReplacement\":false}, not an alarm.");
        }
        var launchReplacement = Flag(invocation.Payload, "launchReplacement");
        var thenRemediate = Flag(invocation.Payload, "thenRemediate");
        var bundleBucket = BundleBucket(invocation.Payload);
        if (ReregisterAmiRequests.ThenRemediateProblem(launchReplacement, thenRemediate, bundleBucket) is { } problem)
        {
            throw new InvalidRequestException(problem + ".");
        }
        var request = decision.Request!;
        var (eligible, refused) = await ReregisterAmiRequests.SplitAsync(engine, request.InstanceIds, cancellationToken);
        var instances = refused.Select(r => new IntakeInstance(r.InstanceId, null, "refused", "refused", r.Reason, [])).ToList();
        var ids = new List<string>();
        if (eligible.Count > 0)
        {
            var start = await engine.StartAsync(ReregisterAmiRequests.Request(eligible, launchReplacement, request.DryRun, request.Trigger, request.TriggerDetail, thenRemediate ? bundleBucket : null), cancellationToken);
            ids.AddRange(start.RemediationIds);
            instances.AddRange(start.Instances.Select(IntakeInstance.From));
        }
        invocation.Log.Info("register-ami started", new { remediationIds = ids, refused = refused.Select(r => r.InstanceId), launchReplacement, thenRemediate });
        // Up to one workflow's records, like intake: the workflow's RegisterAmi task result must fit Step Functions' 256 KiB.
        return IntakeAnswer.Fit(ids, decision.Reason, instances, _ => null);
    }

    /// <summary>launchReplacement, thenRemediate: absent/false/true, or the runbook's rendered "true"/"false".</summary>
    private static bool Flag(string payload, string name)
    {
        using var document = JsonDocument.Parse(payload);
        return TriggerNormaliser.Member(document.RootElement, name) switch
        {
            null or { ValueKind: JsonValueKind.Null or JsonValueKind.False } => false,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out var parsed) => parsed,
            var other => throw new InvalidRequestException($"{name} must be true or false, not {InstanceIds.Quote(other.Value.ToString())}."),
        };
    }

    /// <summary>bundleBucket: absent, null or empty, or a string (its S3 naming is checked with the other journey options).</summary>
    private static string? BundleBucket(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        return TriggerNormaliser.Member(document.RootElement, "bundleBucket") switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.String } s => s.GetString() is { Length: > 0 } bucket ? bucket : null,
            var other => throw new InvalidRequestException($"bundleBucket must be an S3 bucket name, not {InstanceIds.Quote(other.Value.ToString())}."),
        };
    }
}
