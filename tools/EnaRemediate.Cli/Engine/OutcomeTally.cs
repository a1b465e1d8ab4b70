using EnaRemediate.Core.Plans;

namespace EnaRemediate.Cli.Engine;

/// <summary>
/// The summary line and exit code of a run: healthy (nothing to do), fixed, refused and failed
/// counted apart, so "3 refused" never stands for a healthy fleet, and a script can tell
/// "everything fixable was fixed" (0) from "some refused" (1) and "some failed" (2).
/// </summary>
internal sealed record OutcomeTally(int Healthy, int Fixed, int Refused, int Failed, int DryRun, int Unfinished)
{
    /// <summary>Refusal codes that mean the instance is fine as it is, not that something stands in the way.</summary>
    private static readonly HashSet<string> HealthyRefusals = new(StringComparer.Ordinal) { "not-impaired", "healthy" };

    public enum Kind { Healthy, Fixed, Refused, Failed, DryRun, Unfinished }

    /// <summary>What one instance's end counts as: its outcome (null while unfinished) and, for a refusal, its code.</summary>
    public static Kind Classify(string? outcome, string? refusalCode) => outcome switch
    {
        null => Kind.Unfinished,
        Outcomes.Recovered or Outcomes.AmiRegistered => Kind.Fixed,
        Outcomes.Diagnosed => Kind.Healthy,
        Outcomes.DryRun => Kind.DryRun,
        Outcomes.Refused when refusalCode is not null && HealthyRefusals.Contains(refusalCode) => Kind.Healthy,
        Outcomes.Refused => Kind.Refused,
        _ => Kind.Failed,
    };

    public static OutcomeTally Of(IEnumerable<Kind> kinds)
    {
        var list = kinds.ToList();
        int Count(Kind kind) => list.Count(k => k == kind);
        return new OutcomeTally(Count(Kind.Healthy), Count(Kind.Fixed), Count(Kind.Refused), Count(Kind.Failed), Count(Kind.DryRun), Count(Kind.Unfinished));
    }

    public int ExitCode => Failed > 0 ? ExitCodes.Failure : Refused > 0 ? ExitCodes.Attention : ExitCodes.Ok;

    public override string ToString()
    {
        if (Healthy > 0 && Fixed + Refused + Failed + DryRun + Unfinished == 0)
        {
            return $"healthy: nothing to do ({Healthy} instance(s))";
        }
        var parts = new List<string> { $"{Fixed} fixed", $"{Healthy} healthy", $"{Refused} refused", $"{Failed} failed" };
        if (DryRun > 0)
        {
            parts.Add($"{DryRun} dry run");
        }
        if (Unfinished > 0)
        {
            parts.Add($"{Unfinished} unfinished");
        }
        return string.Join(", ", parts);
    }
}
