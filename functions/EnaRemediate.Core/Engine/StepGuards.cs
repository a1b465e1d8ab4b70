using EnaRemediate.Core.Plans;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// The limits every step of every plan lives under, applied by the reconciler around the step's
/// own decision so that a new plan inherits them: a number of failed calls, a number of accepted
/// calls that had no visible effect, a capacity retry window and a deadline. Each reason names the
/// limit it hit. In a rollback (which has no rollback of its own) hitting a limit ends the record
/// with what the instance was left as.
/// </summary>
internal static class StepGuards
{
    public const string CapacityError = "InsufficientInstanceCapacity";

    /// <summary>A limit already passed before the step decides; null when the step may decide.</summary>
    public static StepDecision? Before(StepContext context, IPlanStep step, bool inRollback)
    {
        var options = context.Options;
        var record = context.Record;
        if (!inRollback && record.Attempts >= options.MaxAttempts)
        {
            return new StepDecision.Fail($"{step.Name} hit its attempt limit: {record.Attempts} failed calls ({record.LastEvent()})");
        }
        if (context.MemoTime(MemoKeys.CapacitySince) is { } since && context.Now - since > options.CapacityRetryFor)
        {
            var noCapacity = $"EC2 had no capacity to start the instance ({CapacityError}) for {Describe(options.CapacityRetryFor)} (capacity retry limit)";
            return inRollback
                ? new StepDecision.Finish(Outcomes.Escalated, $"{FailureReason(context)}; rollback stopped: {noCapacity}. The instance is {State(context)}: start it when capacity returns (aws ec2 start-instances --instance-ids {record.InstanceId}).")
                : new StepDecision.Fail($"{step.Name}: {noCapacity}");
        }
        if (context.InStepFor > options.StepDeadline)
        {
            var late = $"hit its deadline of {Describe(options.StepDeadline)}";
            return inRollback
                ? new StepDecision.Finish(Outcomes.Failed, $"{FailureReason(context)}; the rollback {late} with the instance {State(context)}")
                : new StepDecision.Fail($"{step.Name} {late} ({record.LastEvent()})");
        }
        return null;
    }

    /// <summary>The step's decision, unless it asks for a call its step has already made too often.</summary>
    public static StepDecision After(StepContext context, IPlanStep step, StepDecision decision, bool inRollback)
    {
        // A plan-owned call looks before it acts and returns what it saw (a volume already moving, a
        // rescue still launching), so repeating it is how such a step waits; the deadline bounds it.
        if (decision is not StepDecision.Act act || IsRead(act.Action.AwsAction) || act.Action is PlanOwnedAction)
        {
            return decision;
        }
        var made = context.CallsMade(act.Action.AwsAction);
        if (made < context.Options.MaxCallsPerStep)
        {
            return decision;
        }
        var reason = $"{step.Name} hit its attempt limit: {made} {act.Action.AwsAction} calls were accepted but the instance never showed the change (it is {State(context)})";
        return inRollback
            ? new StepDecision.Finish(Outcomes.Failed, $"{FailureReason(context)}; {reason}")
            : new StepDecision.Fail(reason);
    }

    /// <summary>Describe/List/Get calls only look: a step may poll with them as often as it likes.</summary>
    public static bool IsRead(string awsAction)
    {
        var name = awsAction[(awsAction.IndexOf(':') + 1)..];
        return name.StartsWith("Describe", StringComparison.Ordinal) || name.StartsWith("List", StringComparison.Ordinal) || name.StartsWith("Get", StringComparison.Ordinal);
    }

    /// <summary>The state, with enaSupport when the look read the description (a state-only look does not know it).</summary>
    public static string State(StepContext context) => context.Facts.Instance is { } instance
        ? $"{instance.State}, enaSupport {(instance.EnaSupport ? "on" : "off")}"
        : context.Facts.State;

    private static string FailureReason(StepContext context) => context.Memo(MemoKeys.FailureReason) ?? "the remediation failed";

    private static string Describe(TimeSpan span) => span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : $"{span.TotalMinutes:0} min";
}
