using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>An instance a register-ami entry point will not act on, and why.</summary>
public sealed record InstanceRefusal(string InstanceId, string? Code, string Reason);

/// <summary>
/// The rule every register-ami entry point (CLI, Lambda handler) applies before starting records:
/// only instances that triage sends to reregister-ami are started. Anything else — an EBS-backed
/// instance would get the fallback plan, which stops it — is refused here, untouched.
/// </summary>
public static class ReregisterAmiRequests
{
    public static async Task<(IReadOnlyList<string> Eligible, IReadOnlyList<InstanceRefusal> Refused)> SplitAsync(
        RemediationService service, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var eligible = new List<string>();
        var refused = new List<InstanceRefusal>();
        foreach (var plan in await service.PlanAsync(instanceIds, cancellationToken))
        {
            var triage = plan.Triage;
            if (!triage.Refused && triage.Plan == PlanNames.ReregisterAmi)
            {
                eligible.Add(triage.InstanceId);
            }
            else if (triage.Plan is PlanNames.Fallback or PlanNames.OfflineRepair)
            {
                refused.Add(new(triage.InstanceId, SourceImageJudge.EbsBacked,
                    $"{triage.InstanceId} is EBS-backed: it can be stopped, so it needs the {triage.Plan} plan (enaremediate remediate, or the intake function), not a new AMI. Nothing was changed."));
            }
            else
            {
                refused.Add(new(triage.InstanceId, triage.RefusalCode, triage.Reason ?? "refused"));
            }
        }
        return (eligible, refused);
    }

    /// <summary>
    /// The request that starts the plan, with the launchReplacement option kept on each record, and
    /// with <paramref name="thenRemediateInto"/> (the S3 bucket to re-bundle into) the replacement journey.
    /// </summary>
    public static RemediationRequest Request(IReadOnlyList<string> instanceIds, bool launchReplacement, bool dryRun, string trigger, string? detail, string? thenRemediateInto = null)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (launchReplacement)
        {
            options["launchReplacement"] = "true";
        }
        if (thenRemediateInto is not null)
        {
            options["thenRemediate"] = "true";
            options["bundleBucket"] = thenRemediateInto;
        }
        return new(instanceIds, RemediationMode.Remediate, dryRun, trigger, detail) { PlanOptions = options };
    }

    /// <summary>Why the options cannot start the replacement journey; null when they can (or it is not asked for).</summary>
    public static string? ThenRemediateProblem(bool launchReplacement, bool thenRemediate, string? bundleBucket)
    {
        if (!thenRemediate)
        {
            return bundleBucket is null ? null : "a bundle bucket is only used with thenRemediate";
        }
        if (!launchReplacement)
        {
            return "thenRemediate takes the launched replacement on to the driver and ENA: it needs launchReplacement too";
        }
        if (bundleBucket is null)
        {
            return "thenRemediate re-bundles the fixed replacement into S3: it needs the bucket (bundleBucket)";
        }
        return RebundleStep.IsBucketName(bundleBucket) ? null : $"'{bundleBucket}' is not an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens)";
    }
}
