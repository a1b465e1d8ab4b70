namespace EnaRemediate.Core.Engine;

/// <summary>
/// Settings of the Nitro plans (type-swap and offline-repair): the rescue instance per
/// architecture, how many may run at once, and what happens to the snapshot after a success.
/// </summary>
public sealed record NitroOptions
{
    /// <summary>The CLI's stack name when it runs without a deployed stack.</summary>
    public const string CliStackName = "enaremediate-cli";

    /// <summary>
    /// The value of the <c>EnaRemediate:LaunchedBy</c> tag on what offline repair creates (rescue instances,
    /// snapshots, restored volumes), and the only rescues it reuses and terminates. In Lambda the stack's name
    /// (template.yaml scopes IAM by it); the CLI uses <see cref="CliStackName"/> unless told otherwise.
    /// </summary>
    public string StackName { get; init; } = CliStackName;

    /// <summary>The rescue AMI per architecture (x86_64, arm64); it must run the SSM agent. Without one, offline repair of that architecture is refused up front.</summary>
    public IReadOnlyDictionary<string, string> RescueImages { get; init; } = new Dictionary<string, string>();

    /// <summary>The rescue instance type per architecture (a Nitro type, so its AMI's ENA is used).</summary>
    public IReadOnlyDictionary<string, string> RescueInstanceTypes { get; init; } = new Dictionary<string, string>
    {
        ["x86_64"] = "c5.large",
        ["arm64"] = "c7g.large",
    };

    /// <summary>The subnet rescue instances launch in; null = the subnet of the instance under repair (same AZ by construction).</summary>
    public string? RescueSubnetId { get; init; }

    /// <summary>The instance profile a rescue runs with (it needs AmazonSSMManagedInstanceCore).</summary>
    public string? RescueInstanceProfileArn { get; init; }

    /// <summary>
    /// Rescue instances running at once across the account; a repair waits for a free one. Each
    /// serves <see cref="RescueDevices"/> repairs in its zone and architecture, so 50 take a
    /// 500-instance outage in one wave (100 vCPUs of the default type for minutes). A launch
    /// refused for the account's vCPU quota waits like a full pool: set this to what the quota allows.
    /// </summary>
    public int MaxConcurrentRescues { get; init; } = 50;

    /// <summary>The most a deployment or the CLI may ask for: a ceiling against typos (500 rescues serve 5,500 repairs at once).</summary>
    public const int MaxRescuesLimit = 500;

    /// <summary>How long a repair waits for a rescue slot before it gives up (nothing changed by then).</summary>
    public TimeSpan RescueWaitTimeout { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>Devices of a rescue instance given to volumes under repair: one rescue serves that many at once.</summary>
    public IReadOnlyList<string> RescueDevices { get; init; } = ["/dev/sdf", "/dev/sdg", "/dev/sdh", "/dev/sdi", "/dev/sdj", "/dev/sdk", "/dev/sdl", "/dev/sdm", "/dev/sdn", "/dev/sdo", "/dev/sdp"];

    /// <summary>Keep the root snapshot after a successful repair (otherwise it is deleted; after a failure it is always kept).</summary>
    public bool KeepSnapshot { get; init; }

    /// <summary>How long a volume may take to attach or detach.</summary>
    public TimeSpan VolumeTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The SSM Command document run on the rescue instance (driver/): TargetDevice plus the install parameters.</summary>
    public string OfflineRepairDocument { get; init; } = "EnaRemediate-OfflineRepair";
}
