namespace EnaRemediate.Core.Readiness;

/// <summary>
/// What the inventory says about one instance, worst first: the network is gone now, it goes at
/// the next reboot (or the next kernel update boots without ena), nothing to worry about, or
/// EnaRemediate cannot see inside it (no SSM, not running, no usable report).
/// </summary>
public enum ReadinessVerdict
{
    BrokenNow,
    AtRiskNextReboot,
    NotManaged,
    Ready,
}

public static class ReadinessVerdicts
{
    public const string BrokenNowName = "broken-now";
    public const string AtRiskName = "at-risk-next-reboot";
    public const string NotManagedName = "not-managed";
    public const string ReadyName = "ready";

    public static string ToWireName(this ReadinessVerdict verdict) => verdict switch
    {
        ReadinessVerdict.BrokenNow => BrokenNowName,
        ReadinessVerdict.AtRiskNextReboot => AtRiskName,
        ReadinessVerdict.NotManaged => NotManagedName,
        ReadinessVerdict.Ready => ReadyName,
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
    };

    /// <summary>Every verdict in the order a summary lists them.</summary>
    public static IReadOnlyList<ReadinessVerdict> All { get; } =
        [ReadinessVerdict.BrokenNow, ReadinessVerdict.AtRiskNextReboot, ReadinessVerdict.NotManaged, ReadinessVerdict.Ready];
}
