using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// Moves the record's attention to an instance the plan launched: from the next look on, the
/// reconciler observes it and sends its commands there (<see cref="RemediationRecord.ActingOn"/>).
/// The switch is made by a DescribeInstances of the new instance, so it happens only once EC2
/// knows the id (RunInstances ids are eventually consistent).
/// </summary>
public sealed class ActOnInstanceStep(string name, string instanceIdKey, string what, AmiRegistrar registrar) : AmiStep(name, registrar)
{
    public override IReadOnlyList<string> Permissions { get; } = ["ec2:DescribeInstances"];

    public override EngineAction? PlannedAction(EngineOptions options) => null;

    public override StepDecision Decide(StepContext context)
    {
        if (context.Memo(instanceIdKey) is not { } id)
        {
            return new StepDecision.Fail($"there is no {what} to take on (none was launched)");
        }
        if (context.Record.ActingOn == id)
        {
            return new StepDecision.Next($"observing the {what} {id} from now on");
        }
        return new StepDecision.Act(new PlanCall("ec2:DescribeInstances", $"look at {id}", async ct =>
            await Registrar.Images.DescribeLaunchSettingsAsync(id, ct) is null
                ? null
                : ImmutableDictionary<string, string>.Empty.Add(RemediationRecord.ActingOnMemo, id)),
            $"looking at the {what} {id}");
    }
}
