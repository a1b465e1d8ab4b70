namespace EnaRemediate.Core.Plans.Steps;

/// <summary>
/// When a rollback that left the instance running is over: an instance found passing its instance
/// status check must pass it again (it was reachable, so "running" alone could hide a worse state);
/// one found impaired is done once running, since no state of an ENA-required type without a working
/// driver reaches the network. Bounded: a check that never comes back ends the record failed.
/// </summary>
internal static class RollbackSettling
{
    public static StepDecision OnceAsFound(StepContext context, StepDecision.Finish done)
    {
        var now = context.Facts.Status?.InstanceStatus;
        if (context.FoundStopped || context.Memo(MemoKeys.FoundInstanceCheck) != "ok" || now == "ok")
        {
            return done;
        }
        if (context.InStepSinceCapacity > context.Options.HealthyTimeout + context.Options.StuckStoppingAfter)
        {
            return new StepDecision.Finish(Outcomes.Failed, $"{done.Reason}; but the instance status check is {now ?? "unknown"}, found ok", done.Memo);
        }
        return new StepDecision.Wait(TimeSpan.FromSeconds(30), $"rollback: waiting for the status checks (instance check {now ?? "unknown"})");
    }
}
