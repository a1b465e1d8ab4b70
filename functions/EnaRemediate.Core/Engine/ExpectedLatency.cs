namespace EnaRemediate.Core.Engine;

/// <summary>
/// How long one transition takes, fastest to slowest (EC2's and SSM's observed ranges, the ones
/// the project's simulator draws from): a wait looks first when the fastest would be done, then
/// every <see cref="PollEvery"/> until the slowest should be, then every <see cref="LatePoll"/>.
/// So a poll follows what it waits for instead of a fixed period: a one-instance recovery loses
/// about half a poll per phase, and a fleet's looks bunch where the transitions end.
/// </summary>
public sealed record ExpectedLatency(TimeSpan Min, TimeSpan Max)
{
    /// <summary>Looks within the expected range: more looks cost calls, fewer cost time (half a poll per phase on average).</summary>
    private const int LooksPerRange = 30;

    public static ExpectedLatency Seconds(int min, int max) => new(TimeSpan.FromSeconds(min), TimeSpan.FromSeconds(max));

    /// <summary>The poll within the range: a thirtieth of it, 1 to 5 seconds.</summary>
    public TimeSpan PollEvery => TimeSpan.FromSeconds(Math.Clamp((Max - Min).TotalSeconds / LooksPerRange, 1, 5));

    /// <summary>Past the slowest expected: something is slower than usual, look less often (the step's own timeout decides).</summary>
    public TimeSpan LatePoll => TimeSpan.FromSeconds(10);

    /// <summary>How long to wait before the next look, <paramref name="elapsed"/> after the transition began.</summary>
    public TimeSpan NextLook(TimeSpan elapsed) =>
        elapsed < Min ? Min - elapsed : elapsed <= Max ? PollEvery : LatePoll;
}

/// <summary>The transitions the engine waits for (FACTS.md §4; the simulator's Latencies draw from the same ranges).</summary>
public static class ExpectedLatencies
{
    /// <summary>StopInstances to stopped.</summary>
    public static readonly ExpectedLatency Stop = ExpectedLatency.Seconds(30, 90);

    /// <summary>A forced StopInstances to stopped.</summary>
    public static readonly ExpectedLatency ForcedStop = ExpectedLatency.Seconds(5, 20);

    /// <summary>StartInstances to running (pending).</summary>
    public static readonly ExpectedLatency Start = ExpectedLatency.Seconds(15, 40);

    /// <summary>Running to the SSM agent Online: the boot, then the agent's registration.</summary>
    public static readonly ExpectedLatency SsmOnline = ExpectedLatency.Seconds(30, 105);

    /// <summary>Running to both status checks ok: the boot, then EC2's checks.</summary>
    public static readonly ExpectedLatency StatusChecks = ExpectedLatency.Seconds(80, 240);

    /// <summary>SendCommand to the end of the driver install: the agent's pick-up, then a DKMS build.</summary>
    public static readonly ExpectedLatency DriverInstall = ExpectedLatency.Seconds(61, 183);

    /// <summary>SendCommand to the end of an instance-store re-bundle: ec2-bundle-vol and the upload, 5 to 15 minutes.</summary>
    public static readonly ExpectedLatency Rebundle = ExpectedLatency.Seconds(300, 900);

    /// <summary>AttachVolume/DetachVolume to attached/detached.</summary>
    public static readonly ExpectedLatency VolumeMove = ExpectedLatency.Seconds(2, 10);

    /// <summary>SendCommand to the end of a host report (a few seconds of shell).</summary>
    public static readonly ExpectedLatency ShortCommand = ExpectedLatency.Seconds(3, 11);

    /// <summary>The next look at a stop <paramref name="sinceRequested"/> after it was asked for, <paramref name="sinceForced"/> after it was forced (null: not forced).</summary>
    public static TimeSpan StopLook(TimeSpan sinceRequested, TimeSpan? sinceForced) =>
        sinceForced is { } forced ? ForcedStop.NextLook(forced) : Stop.NextLook(sinceRequested);
}
