using System.Text.RegularExpressions;
using EnaRemediate.Core.Facts;

namespace EnaRemediate.Core.Triage;

/// <summary>
/// Turns facts into a plan or a refusal. Pure: the same facts always give the same answer, so the
/// table tests cover it completely. Order matters: the first rule that refuses wins, and the
/// cheapest-to-explain reasons come first.
/// </summary>
public static partial class TriageRules
{
    /// <summary>The default opt-in tag key; a deployment may choose another (EngineOptions.OptInTagKey).</summary>
    public const string OptInTag = "EnaRemediate:OptIn";

    /// <summary>
    /// The one value that opts an instance in, compared exactly: IAM's StringEquals in template.yaml
    /// and the sweep's tag filter use the same, so triage never accepts what IAM would then refuse.
    /// </summary>
    public const string OptInValue = "true";

    [GeneratedRegex("^i-[0-9a-f]{8}([0-9a-f]{9})?$")]
    private static partial Regex InstanceIdPattern();

    public static bool IsValidInstanceId(string? id) => id is not null && InstanceIdPattern().IsMatch(id);

    /// <param name="remediate">false: the request only asked for a diagnosis.</param>
    /// <param name="optInAll">the deployment opted every instance in (no tag needed).</param>
    /// <param name="optInTagKey">the tag whose value "true" opts an instance in (default <see cref="OptInTag"/>).</param>
    /// <param name="route">the operator's choice for an ENA-required type (type-swap or offline-repair); null lets the facts choose.</param>
    /// <param name="asgStandby">the operator consents to an InService Auto Scaling member being moved to Standby and back.</param>
    public static TriageResult Decide(InstanceFacts facts, bool remediate, bool optInAll = false, string optInTagKey = OptInTag, string? route = null, bool asgStandby = false)
    {
        var id = facts.InstanceId;
        if (!IsValidInstanceId(id))
        {
            return TriageResult.Refuse(id, PlanNames.Refused, RefusalCodes.InvalidId, $"'{id}' is not an EC2 instance id (i- followed by 8 or 17 hex digits).");
        }
        if (facts.Instance is not { } instance)
        {
            return TriageResult.Refuse(id, PlanNames.Refused, RefusalCodes.NotFound, "EC2 does not know this instance in this account and Region.");
        }
        if (instance.State is "terminated" or "shutting-down")
        {
            return TriageResult.Refuse(id, PlanNames.Refused, RefusalCodes.Terminated, $"The instance is {instance.State}; there is nothing to recover.");
        }

        var plan = ChoosePlan(facts, route);
        if (plan.Refused)
        {
            return plan;
        }
        if (!remediate)
        {
            return TriageResult.Act(id, PlanNames.DiagnoseOnly, $"Diagnose only (the request did not ask to remediate); the plan would be {plan.Plan}.");
        }
        if (!optInAll && !string.Equals(facts.Tag(optInTagKey), OptInValue, StringComparison.Ordinal))
        {
            return TriageResult.Refuse(id, plan.Plan, RefusalCodes.NotOptedIn, $"The instance is not opted in: tag it {optInTagKey}={OptInValue} (exactly, lower case) to let EnaRemediate change it.");
        }
        if (facts.Tag("opsworks:stack") is not null || facts.Tag("opsworks:instance") is not null)
        {
            return TriageResult.Refuse(id, plan.Plan, RefusalCodes.OpsWorks, "The instance is managed by OpsWorks Stacks (shut down in 2024); recover it by hand or migrate it off OpsWorks first.");
        }
        if (AutoScalingRule.Refusal(facts, plan.Plan, asgStandby) is { } autoScaling)
        {
            return autoScaling;
        }
        if (instance.InstanceLifecycle == "spot")
        {
            return TriageResult.Refuse(id, plan.Plan, RefusalCodes.Spot, "The instance is a Spot instance: once stopped it may never get capacity to start again.");
        }
        if (facts.Status?.SystemStatus == "impaired")
        {
            return TriageResult.Refuse(id, plan.Plan, RefusalCodes.SystemCheckFailed, "The system status check failed: that is AWS hardware or network, which EC2 auto-recovery (or a stop and start) fixes, not a driver problem.");
        }
        return plan;
    }

    /// <summary>The plan the instance's shape calls for, or a refusal when no plan fits it.</summary>
    private static TriageResult ChoosePlan(InstanceFacts facts, string? route)
    {
        if (route is not null && facts.TypeEnaSupport != "required")
        {
            return TriageResult.Refuse(facts.InstanceId, PlanNames.Refused, RefusalCodes.RouteNotPossible,
                $"The route {route} is for types that require ENA; {facts.Instance!.InstanceType} does not. Run again without a route.");
        }
        var id = facts.InstanceId;
        var instance = facts.Instance!;
        if (instance.VirtualizationType == "paravirtual")
        {
            return instance.EnaSupport
                ? TriageResult.Refuse(id, PlanNames.Refused, RefusalCodes.ParavirtualWithEna, "The instance is paravirtual (PV) yet has enaSupport on: ENA only works on HVM. Turn enaSupport off (stop, aws ec2 modify-instance-attribute --no-ena-support, start) or move to an HVM AMI.")
                : TriageResult.Refuse(id, PlanNames.Refused, RefusalCodes.ParavirtualWithEna, "The instance is paravirtual (PV): ENA cannot be used on it, so there is no ENA driver to repair.");
        }
        if (instance.RootDeviceType == "instance-store")
        {
            return TriageResult.Act(id, PlanNames.ReregisterAmi, "Instance-store-backed: it cannot be stopped, so the fix is a copy of its AMI registered with EnaSupport=false and a replacement launched from it.");
        }
        return facts.TypeEnaSupport switch
        {
            "supported" => TriageResult.Act(id, PlanNames.Fallback, $"EBS-backed {instance.InstanceType} supports running without ENA: turn ENA off, install the driver, validate, turn ENA back on."),
            "required" => NitroRouting.Choose(facts, route),
            "unsupported" => TriageResult.Refuse(id, PlanNames.Refused, RefusalCodes.EnaUnsupportedType, $"{instance.InstanceType} does not support ENA at all; its network problem is not an ENA driver problem."),
            _ => TriageResult.Refuse(id, PlanNames.Refused, RefusalCodes.Unknown, $"EC2 did not say whether {instance.InstanceType ?? "its type"} supports ENA; refusing rather than guessing."),
        };
    }
}
