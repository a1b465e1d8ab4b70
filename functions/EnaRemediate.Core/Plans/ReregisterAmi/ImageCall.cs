using System.Collections.Immutable;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>One image call of the plan: its IAM action (for pacing and the audit), what it does, and the call itself returning memo to keep.</summary>
public sealed record ImageCall(string Action, string Description, Func<CancellationToken, Task<ImmutableDictionary<string, string>?>> Run) : PlanOwnedAction
{
    public override string AwsAction => Action;

    public override Task<ImmutableDictionary<string, string>?> ExecuteAsync(CancellationToken cancellationToken) => Run(cancellationToken);

    public override string ToString() => $"{Action}: {Description}";

    /// <summary>The call as `plan` and a dry run list it: a description only, never made (EC2 has no DryRun for it worth the risk of a real call).</summary>
    public static ImageCall Planned(string action, string description) =>
        new(action, description, _ => Task.FromResult<ImmutableDictionary<string, string>?>(null));
}
