using System.Collections.Immutable;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Core.Plans;

/// <summary>What a step decided for one record from what it observed.</summary>
public abstract record StepDecision
{
    /// <summary>Nothing to do yet; look again after this long (what is awaited sets it).</summary>
    public sealed record Wait(TimeSpan After, string Why) : StepDecision;

    /// <summary>The step's goal is observed to be met: go on to the next step now.</summary>
    public sealed record Next(string Event, ImmutableDictionary<string, string>? Memo = null) : StepDecision;

    /// <summary>
    /// Make a call. <see cref="Undo"/> (when set) is written to the record before the call, and
    /// <see cref="Memo"/> entries with it (for example when a stop was first requested).
    /// </summary>
    public sealed record Act(EngineAction Action, string Event, UndoEntry? Undo = null, ImmutableDictionary<string, string>? Memo = null) : StepDecision;

    /// <summary>Something went wrong: start the plan's rollback (or end, when nothing was changed).</summary>
    public sealed record Fail(string Reason) : StepDecision;

    /// <summary>The remediation is over with this outcome.</summary>
    public sealed record Finish(string Outcome, string Reason, ImmutableDictionary<string, string>? Memo = null) : StepDecision;
}
