namespace EnaRemediate.Cli;

/// <summary>Process exit codes shared by every command, so scripts can branch on them (README: exit codes).</summary>
public static class ExitCodes
{
    /// <summary>Everything fixable was fixed (or was healthy: nothing to do); a dry run or a view that found nothing wrong.</summary>
    public const int Ok = 0;
    /// <summary>Some instances were refused (diagnose: THROTTLED, RESET_RECOVERED); nothing failed.</summary>
    public const int Attention = 1;
    /// <summary>A failure: a failed or rolled-back remediation, an unhealthy verdict, an unreadable input, AWS unreachable.</summary>
    public const int Failure = 2;
    /// <summary>The record store cannot be read or written (corrupt, locked too long, a newer schema); nothing was changed.</summary>
    public const int RecordStore = 3;
    /// <summary>The command line itself was wrong (sysexits.h EX_USAGE).</summary>
    public const int Usage = 64;
    /// <summary>Stopped by SIGINT (Ctrl-C) or SIGTERM: records saved, a rerun resumes (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
