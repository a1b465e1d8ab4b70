namespace EnaRemediate.Core.Plans;

/// <summary>How a remediation ended (the outcome names).</summary>
public static class Outcomes
{
    public const string Recovered = "recovered";
    public const string RolledBack = "rolled-back";
    public const string Refused = "refused";
    public const string Failed = "failed";
    public const string AmiRegistered = "ami-registered";
    /// <summary>diagnose-only: a report, nothing changed.</summary>
    public const string Diagnosed = "diagnosed";
    /// <summary>A dry run: the calls were listed and EC2-DryRun-checked, nothing changed.</summary>
    public const string DryRun = "dry-run";
    /// <summary>The engine stopped trying and a person must act (for example no capacity to start the instance again); the reason says what to do.</summary>
    public const string Escalated = "escalated";
}
