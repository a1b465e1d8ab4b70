namespace EnaRemediate.Cli;

/// <summary>Process exit codes shared by every command, so scripts can branch on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Something needs attention but nothing is broken (THROTTLED, RESET_RECOVERED, refusals).</summary>
    public const int Attention = 1;
    /// <summary>A failure: an unhealthy verdict, a failed remediation, an unreadable input.</summary>
    public const int Failure = 2;
    /// <summary>The command line itself was wrong (sysexits.h EX_USAGE).</summary>
    public const int Usage = 64;
}
