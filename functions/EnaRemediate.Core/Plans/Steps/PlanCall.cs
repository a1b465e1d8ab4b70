using System.Collections.Immutable;

namespace EnaRemediate.Core.Plans.Steps;

/// <summary>
/// A call a step makes through its plan's own port (one record at a time: the Nitro plans' and
/// the image plan's): its IAM action (for pacing and the audit), what it does, and the call, which
/// returns what to remember of it (typically a fresh observation, so the next look decides from it).
/// </summary>
public sealed record PlanCall(string Action, string Description, Func<CancellationToken, Task<ImmutableDictionary<string, string>?>> Run) : PlanOwnedAction
{
    public override string AwsAction => Action;

    public override Task<ImmutableDictionary<string, string>?> ExecuteAsync(CancellationToken cancellationToken) => Run(cancellationToken);

    public override string ToString() => $"{Action}: {Description}";

    /// <summary>The call as `plan` and a dry run list it: a description, never made (no DryRun for it is worth the risk of a real call).</summary>
    public static PlanCall Planned(string action, string description) =>
        new(action, description, _ => Task.FromResult<ImmutableDictionary<string, string>?>(null));
}
