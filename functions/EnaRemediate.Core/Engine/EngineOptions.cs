namespace EnaRemediate.Core.Engine;

/// <summary>
/// Everything about the engine that a deployment may set: the SSM documents and their parameters,
/// timeouts, EC2's documented rate limits, and the opt-in policy. Defaults are the documented
/// AWS values and the driver bundle's document names.
/// </summary>
public sealed record EngineOptions
{
    public string InstallDocument { get; init; } = "EnaRemediate-InstallDriver";
    public string CollectDocument { get; init; } = "EnaRemediate-CollectHostReport";

    /// <summary>
    /// Parameters of the install documents (EnaRemediate-InstallDriver, EnaRemediate-OfflineRepair):
    /// SourceArchive, Sha256, Version, optionally Kernels (empty = every installed kernel). The
    /// defaults are the release pinned in driver/ena-driver.json (<see cref="PinnedDriverRelease"/>).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> InstallParameters { get; init; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["SourceArchive"] = [PinnedDriverRelease.Current.ArchiveUrl],
        ["Sha256"] = [PinnedDriverRelease.Current.Sha256],
        ["Version"] = [PinnedDriverRelease.Current.Version],
    };

    /// <summary>
    /// Options with another archive location (an S3 copy of the pinned release keeps the pinned
    /// digest), another digest, or another version. Another version without its own digest has no
    /// digest at all (the pinned one cannot match it), so the plan is refused before anything is stopped.
    /// </summary>
    public EngineOptions WithDriver(string? sha256 = null, string? sourceArchive = null, string? version = null)
    {
        var parameters = InstallParameters.ToDictionary(p => p.Key, p => p.Value);
        if (sourceArchive is not null)
        {
            parameters["SourceArchive"] = [sourceArchive];
        }
        if (version is not null)
        {
            parameters["Version"] = [version];
        }
        if (sha256 is not null)
        {
            parameters["Sha256"] = [sha256];
        }
        else if (version is not null && version != PinnedDriverRelease.Current.Version)
        {
            parameters.Remove("Sha256");
        }
        return this with { InstallParameters = parameters };
    }

    /// <summary>What is missing for the driver install to be able to run; null when nothing is.</summary>
    public string? DriverConfigurationProblem =>
        new[] { "SourceArchive", "Sha256", "Version" }.FirstOrDefault(k => !InstallParameters.TryGetValue(k, out var v) || v.Count == 0 || string.IsNullOrWhiteSpace(v[0])) is { } missing
            ? $"the driver install's {missing} is not configured (driver/ena-driver.json pins {PinnedDriverRelease.Current.Tag}; another version needs its own digest: --driver-sha256)"
            : null;

    /// <summary>Treat every instance as opted in (a deployment-wide choice); otherwise the opt-in tag is required.</summary>
    public bool OptInAll { get; init; }

    /// <summary>The tag whose value "true" lets EnaRemediate change an instance; the template's IAM conditions use the same key.</summary>
    public string OptInTagKey { get; init; } = Triage.TriageRules.OptInTag;

    /// <summary>A normal stop that has not finished by then is repeated with Force.</summary>
    public TimeSpan ForceStopAfter { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>A forced stop that has not finished by then fails the step.</summary>
    public TimeSpan StuckStoppingAfter { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>How long to wait for both status checks ok and SSM Online after a start.</summary>
    public TimeSpan HealthyTimeout { get; init; } = TimeSpan.FromMinutes(20);
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>Failed calls of one step before the step is given up (throttling does not count).</summary>
    public int MaxAttempts { get; init; } = 4;
    /// <summary>
    /// Calls of one mutating action that AWS accepted in one step: a step that keeps asking (EC2
    /// answers 200 but the state never follows) gives up after this many.
    /// </summary>
    public int MaxCallsPerStep { get; init; } = 5;
    /// <summary>No step (and no rollback) runs longer than this, whatever it waits for.</summary>
    public TimeSpan StepDeadline { get; init; } = TimeSpan.FromHours(3);
    /// <summary>How long a start refused with InsufficientInstanceCapacity is retried (with backoff) before the step gives up and escalates.</summary>
    public TimeSpan CapacityRetryFor { get; init; } = TimeSpan.FromHours(1);
    /// <summary>After a remediation of an instance finished, no trigger starts another for this long unless forced.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Client-side token buckets per action (EC2's account limits, FACTS.md §4: size, refill per
    /// second; a Describe by ids, without filters or paging, 50/10; 50/5 for the other EC2 actions). Besides the fallback's calls,
    /// the offline repair's per-record EBS and tag calls: a fleet of repairs then waits for its
    /// tokens here instead of being throttled and sleeping in the SDK's backoff one call after another.
    /// </summary>
    public IReadOnlyDictionary<string, (int Size, double RefillPerSecond)> RateLimits { get; init; } = new Dictionary<string, (int, double)>
    {
        ["ec2:StartInstances"] = (5, 2),
        ["ec2:StopInstances"] = (50, 5),
        ["ec2:ModifyInstanceAttribute"] = (50, 5),
        ["ssm:SendCommand"] = (20, 5),
        ["ec2:RunInstances"] = (5, 2),
        ["ec2:CreateTags"] = (100, 10),
        ["ec2:AttachVolume"] = (50, 5),
        ["ec2:DetachVolume"] = (50, 5),
        ["ec2:CreateSnapshot"] = (50, 5),
        ["ec2:DeleteSnapshot"] = (50, 5),
        ["ec2:TerminateInstances"] = (50, 5),
        // The plans' volume and snapshot looks name their ids: the "unfiltered" bucket.
        ["ec2:DescribeVolumes"] = (50, 10),
        ["ec2:DescribeSnapshots"] = (50, 10),
    };

    /// <summary>
    /// EC2's account-wide resource buckets (FACTS.md §4: size, refill per second): every instance a
    /// StartInstances or StopInstances call names takes one token, so above a few hundred
    /// instances these, not the calls, bound how fast a fleet can be stopped and started.
    /// </summary>
    public IReadOnlyDictionary<string, (int Size, double RefillPerSecond)> InstanceRateLimits { get; init; } = new Dictionary<string, (int, double)>
    {
        ["ec2:StartInstances"] = (1000, 2),
        ["ec2:StopInstances"] = (1000, 20),
    };

    /// <summary>Ids per StopInstances/StartInstances call.</summary>
    public int MaxIdsPerCall { get; init; } = 100;

    /// <summary>The type-swap and offline-repair plans' settings (rescue instances, snapshot retention).</summary>
    public NitroOptions Nitro { get; init; } = new();

    /// <summary>Seed for the polling jitter; null = random. Tests fix it.</summary>
    public int? JitterSeed { get; init; }
}
