using System.Collections.Immutable;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Core.Plans.Steps;

/// <summary>
/// Brings the instance to stopped: StopInstances, repeated with Force when the normal stop has not
/// finished after <see cref="EngineOptions.ForceStopAfter"/>. Before the first stop of a
/// remediation of a running instance it records the undo "start it again".
/// </summary>
public sealed class StopStep(string name) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ec2:StopInstances"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "running", "stopping" };
    public EngineAction? PlannedAction(EngineOptions options) => new StopAction(false);
    public bool ObservesHealth(RemediationRecord record) => false;
    public bool ObservesAttributes(RemediationRecord record) => false;

    public StepDecision Decide(StepContext context)
    {
        var requestedAt = context.MemoTime(MemoKeys.StopRequestedAt(Name));
        switch (context.Facts.State)
        {
            case "stopped":
                return new StepDecision.Next("stopped");
            case "running":
                // Running after we asked for a stop (a crash before the call, or EC2 not showing it yet) is answered with the same stop: stopping twice is harmless.
                return new StepDecision.Act(new StopAction(false), "stopping",
                    Undo: UndoFor(context),
                    Memo: requestedAt is null ? ImmutableDictionary<string, string>.Empty.Add(MemoKeys.StopRequestedAt(Name), context.Now.ToString("O")) : null);
            case "stopping" or "pending":
                // Timed from when EC2 accepted the stop, not when it was decided: in a large fleet a stop can
                // wait minutes for an account token, and a stop that never hung must not be forced for it.
                var acceptedAt = context.MemoTime(MemoKeys.FirstAcceptedAt(context.Record.Step, "ec2:StopInstances"));
                var stopFrom = requestedAt ?? context.StepStartedAt;
                var since = context.Now - (acceptedAt > stopFrom ? acceptedAt.Value : stopFrom);
                var forcedAt = context.MemoTime(MemoKeys.ForcedAt(Name));
                // A forced stop took when EC2 accepted a StopInstances after it was decided; one whose call
                // failed or died after the intent was saved (a 503, a crash) is sent again at once.
                var forceTook = forcedAt is not null
                    && context.CallsMade("ec2:StopInstances") > (int.TryParse(context.Memo(MemoKeys.ForcedCalls(Name)), out var before) ? before : 0);
                if (since > context.Options.StuckStoppingAfter && (context.Facts.State == "pending" || forceTook))
                {
                    return new StepDecision.Fail($"the instance has been {context.Facts.State} for {since.TotalMinutes:0} minutes, even after a forced stop");
                }
                // Forced again when a forced stop that took has not stopped it either: a forced stop is harmless to repeat.
                if (context.Facts.State == "stopping" && since > context.Options.ForceStopAfter
                    && (!forceTook || context.Now - forcedAt > context.Options.ForceStopAfter))
                {
                    return new StepDecision.Act(new StopAction(true), $"still stopping after {since.TotalMinutes:0} minutes: forcing the stop",
                        Memo: ImmutableDictionary<string, string>.Empty
                            .Add(MemoKeys.ForcedAt(Name), context.Now.ToString("O"))
                            .Add(MemoKeys.ForcedCalls(Name), context.CallsMade("ec2:StopInstances").ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
                return new StepDecision.Wait(ExpectedLatencies.StopLook(since, context.Now - forcedAt), $"waiting for the instance to stop ({context.Facts.State})");
            default:
                return new StepDecision.Fail($"cannot stop an instance that is {context.Facts.State}");
        }
    }

    /// <summary>The first stop of a running instance records "start it again"; later stops need nothing new (rollback restarts it anyway).</summary>
    private static UndoEntry? UndoFor(StepContext context)
    {
        if (context.FoundStopped || context.Record.UndoLog.Any(u => u.Action == UndoActions.StartAgain))
        {
            return null;
        }
        return new UndoEntry(UndoActions.StartAgain, "the instance was running when found: start it again", ImmutableDictionary<string, string>.Empty, context.Now);
    }
}
