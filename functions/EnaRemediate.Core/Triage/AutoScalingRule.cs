using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Facts;

namespace EnaRemediate.Core.Triage;

/// <summary>
/// Auto Scaling members, judged on what Auto Scaling says (DescribeAutoScalingInstances), not the
/// tag alone: a member in Standby is remediated (the group ignores it); an InService member only
/// with the operator's consent to move it to Standby and back (--asg-standby, payload asgStandby),
/// since a stopped InService member is replaced by its group; anything else is refused with what to do.
/// </summary>
public static class AutoScalingRule
{
    /// <summary>The plan option (memo "option.asgStandby") that carries the operator's consent.</summary>
    public const string ConsentOption = "asgStandby";

    public static TriageResult? Refusal(InstanceFacts facts, string plan, bool standbyConsent)
    {
        var id = facts.InstanceId;
        var tagged = facts.Tag(FactsGatherer.AutoScalingGroupTag);
        if (facts.AutoScaling is not { } member)
        {
            // Asked and not listed: detached from its group (the tag outlives membership), so nothing will replace it.
            return tagged is null || facts.AutoScalingChecked ? null : TriageResult.Refuse(id, plan, RefusalCodes.AutoScaling,
                $"The instance is tagged as a member of Auto Scaling group '{tagged}' and its lifecycle state could not be read, so stopping it could make the group replace it. "
                + $"Put it in Standby first (aws autoscaling enter-standby --auto-scaling-group-name {tagged} --instance-ids {id} --should-decrement-desired-capacity) and run again.");
        }
        return member.LifecycleState switch
        {
            AutoScalingMembership.Standby => null,
            AutoScalingMembership.InService when standbyConsent => null,
            AutoScalingMembership.InService => TriageResult.Refuse(id, plan, RefusalCodes.AutoScaling,
                $"The instance is InService in Auto Scaling group '{member.GroupName}': stopping it would make the group replace it. "
                + "Run again with --asg-standby (payload \"asgStandby\": true) to let EnaRemediate move it to Standby (lowering the desired capacity, so nothing is launched) and back to InService afterwards, "
                + $"or put it in Standby yourself (aws autoscaling enter-standby --auto-scaling-group-name {member.GroupName} --instance-ids {id} --should-decrement-desired-capacity)."),
            var state => TriageResult.Refuse(id, plan, RefusalCodes.AutoScaling,
                $"The instance is {state} in Auto Scaling group '{member.GroupName}': only an InService member (with --asg-standby) or one in Standby can be remediated; run again once it is."),
        };
    }
}
