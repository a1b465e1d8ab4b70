namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// The overall answer for a host, worst first. The numeric order is the precedence: when findings
/// point at several verdicts the highest one wins (a failed build explains a missing module, a
/// missing module outranks a runtime fault in old logs, and so on down to HEALTHY).
/// </summary>
public enum Verdict
{
    Healthy = 0,
    /// <summary>Only known-benign warnings (the AWS "errors you can ignore" list and friends).</summary>
    Ignorable = 1,
    /// <summary>EC2 allowance counters grew: traffic shaping, the driver itself is fine.</summary>
    Throttled = 2,
    /// <summary>A fault, then a device reset (or re-probe) that completed; no crash loop.</summary>
    ResetRecovered = 3,
    /// <summary>
    /// The input is not driver, kernel, build or tool output at all (random bytes, a password file,
    /// prose, a cut document): nothing can be vouched for, so it is never HEALTHY.
    /// </summary>
    Unrecognised = 4,
    /// <summary>The input is another driver's (ethtool of vif, ixgbevf, virtio_net …): ENA is not in use there.</summary>
    NotEna = 5,
    /// <summary>A fault without a successful recovery, a failed reset or probe, a crash loop, a crash in ena.</summary>
    Failure = 6,
    /// <summary>No ena module for the kernel that matters (the running one or the next boot's), or one that cannot load.</summary>
    NotReady = 7,
    /// <summary>The driver did not build or install.</summary>
    BuildFailure = 8,
}

public static class VerdictNames
{
    /// <summary>The wire name used in JSON and text output (UPPER_SNAKE, as in the issue).</summary>
    public static string ToWireName(this Verdict verdict) => verdict switch
    {
        Verdict.Healthy => "HEALTHY",
        Verdict.Ignorable => "IGNORABLE",
        Verdict.Throttled => "THROTTLED",
        Verdict.ResetRecovered => "RESET_RECOVERED",
        Verdict.Unrecognised => "UNRECOGNISED",
        Verdict.NotEna => "NOT_ENA",
        Verdict.Failure => "FAILURE",
        Verdict.NotReady => "NOT_READY",
        Verdict.BuildFailure => "BUILD_FAILURE",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
    };
}
