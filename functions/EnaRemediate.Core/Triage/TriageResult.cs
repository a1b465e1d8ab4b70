namespace EnaRemediate.Core.Triage;

/// <summary>The plan names triage chooses between.</summary>
public static class PlanNames
{
    public const string Fallback = "fallback";
    public const string OfflineRepair = "offline-repair";
    public const string TypeSwap = "type-swap";
    public const string ReregisterAmi = "reregister-ami";
    public const string DiagnoseOnly = "diagnose-only";
    public const string Refused = "refused";
}

/// <summary>Machine-readable refusal codes; the reason text is for people.</summary>
public static class RefusalCodes
{
    public const string NotFound = "not-found";
    public const string InvalidId = "invalid-id";
    public const string Terminated = "terminated";
    public const string NotOptedIn = "not-opted-in";
    public const string OpsWorks = "opsworks";
    public const string AutoScaling = "auto-scaling";
    public const string Spot = "spot";
    public const string SystemCheckFailed = "system-check-failed";
    public const string ParavirtualWithEna = "paravirtual-with-ena";
    public const string EnaUnsupportedType = "ena-unsupported-type";
    public const string AlreadyRemediating = "already-remediating";
    public const string PlanNotAvailable = "plan-not-available";
    public const string Unknown = "unknown-facts";
    public const string NotImpaired = "not-impaired";
    public const string Cooldown = "cool-down";
    public const string InvalidParameters = "invalid-parameters";
    public const string RootUnidentified = "root-unidentified";
    public const string MarketplaceVolume = "marketplace-volume";
    public const string RouteNotPossible = "route-not-possible";
}

/// <summary>
/// Triage's answer for one instance: the plan it would use (even when refused, so a person sees
/// what would have happened) and, when it will not act, the refusal code and a plain reason.
/// </summary>
public sealed record TriageResult(string InstanceId, string Plan, string? RefusalCode, string? Reason)
{
    public bool Refused => RefusalCode is not null;

    /// <summary>What the chosen route needs the plan to know (the stand-in type), kept on the record's memo.</summary>
    public System.Collections.Immutable.ImmutableDictionary<string, string> Memo { get; init; } = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty;

    public static TriageResult Act(string instanceId, string plan, string reason) => new(instanceId, plan, null, reason);

    public static TriageResult Refuse(string instanceId, string plan, string code, string reason) => new(instanceId, plan, code, reason);
}
