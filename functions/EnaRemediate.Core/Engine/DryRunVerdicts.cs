namespace EnaRemediate.Core.Engine;

/// <summary>
/// What a dry run found out about one planned call (<see cref="PlannedCall.DryRunVerdict"/>),
/// machine-readable; <see cref="PlannedCall.DryRunCheck"/> says the same for people.
/// </summary>
public static class DryRunVerdicts
{
    /// <summary>EC2 answered DryRunOperation: it would have allowed the call now.</summary>
    public const string Permitted = "permitted";

    /// <summary>
    /// EC2 answered IncorrectInstanceState to a call the plan makes only while the instance is
    /// stopped: EC2 judges such a call on a stopped instance only, so it is checked then; not a refusal.
    /// </summary>
    public const string CheckedOnceStopped = "checked-once-stopped";

    /// <summary>EC2 refused the DryRun (UnauthorizedOperation, a bad parameter, an instance it cannot act on).</summary>
    public const string Refused = "refused";

    /// <summary>The service has no DryRun (SSM, Auto Scaling): the call is listed, not checked.</summary>
    public const string NoDryRun = "no-dry-run";

    /// <summary>EC2 was not asked (a plan's own call, or the DryRun itself was throttled).</summary>
    public const string NotChecked = "not-checked";
}
