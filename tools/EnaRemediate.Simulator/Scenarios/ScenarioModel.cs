namespace EnaRemediate.Simulator.Scenarios;

/// <summary>A scenario file: the images a fleet is launched from and groups of alike instances.</summary>
public sealed record ScenarioDefinition
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<ScenarioImage> Images { get; init; } = [];
    public IReadOnlyList<ScenarioGroup> Groups { get; init; } = [];
    /// <summary>Availability Zones that offer no Xen instance type.</summary>
    public IReadOnlyList<string> ZonesWithoutXen { get; init; } = [];
}

public sealed record ScenarioImage
{
    public required string Key { get; init; }
    public required string Name { get; init; }
    public string RootDeviceType { get; init; } = "ebs";
    public string VirtualizationType { get; init; } = "hvm";
    public string Architecture { get; init; } = "x86_64";
    /// <summary>Another account's id makes the image foreign (shared with this account, not owned).</summary>
    public string? OwnerId { get; init; }
    public bool EnaSupport { get; init; } = true;
    public bool SriovNetSupport { get; init; }
    public string? KernelId { get; init; }
    public string? RamdiskId { get; init; }
    public string? BootMode { get; init; }
    /// <summary>AWS Marketplace product codes the image carries.</summary>
    public IReadOnlyList<string> ProductCodes { get; init; } = [];
    /// <summary>Instance-store volumes (ephemeral0..N-1) the AMI maps.</summary>
    public int Ephemeral { get; init; }
    public required ScenarioGuest Guest { get; init; }
}

public sealed record ScenarioGuest
{
    public string DistroId { get; init; } = "debian";
    public string DistroVersion { get; init; } = "12";
    public string PrettyName { get; init; } = "Debian GNU/Linux 12 (bookworm)";
    public bool Dkms { get; init; }
    public string? DkmsEnaVersion { get; init; }
    public bool SsmAgent { get; init; } = true;
    public string? NetIfnames { get; init; } = "0";
    /// <summary>/etc/fstab names /dev/nvme* devices (boots on Nitro only).</summary>
    public bool FstabNamesNvmeDevices { get; init; }
    public IReadOnlyList<ScenarioKernel> Kernels { get; init; } = [];
}

public sealed record ScenarioKernel
{
    public required string Version { get; init; }
    public bool Headers { get; init; } = true;
    /// <summary>Whether the distribution still ships this kernel's headers (an install can add missing ones).</summary>
    public bool HeadersAvailable { get; init; } = true;
    /// <summary>The ena module this kernel has; null when it has none.</summary>
    public ScenarioEna? Ena { get; init; }
    public IReadOnlyList<string> IncompatibleDriverVersions { get; init; } = [];
}

public sealed record ScenarioEna(string Version, bool InTree);

public sealed record ScenarioGroup
{
    public required string Name { get; init; }
    public int Count { get; init; } = 1;
    /// <summary>Types given to the group's instances in turn.</summary>
    public required IReadOnlyList<string> InstanceTypes { get; init; }
    public required string Image { get; init; }
    public bool? EnaSupport { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public string? Lifecycle { get; init; }
    public string State { get; init; } = "running";
    public string AvailabilityZone { get; init; } = "us-east-1a";
    public int NetworkInterfaces { get; init; } = 1;
    /// <summary>default, dedicated or host.</summary>
    public string Tenancy { get; init; } = "default";
    /// <summary>A KMS key id: the root volume is encrypted with it.</summary>
    public string? KmsKeyId { get; init; }
    public string? KeyName { get; init; }
    public string? IamInstanceProfileArn { get; init; }
    public IReadOnlyList<string>? SecurityGroupIds { get; init; }
    /// <summary>Base64 user data, as EC2 stores it.</summary>
    public string? UserData { get; init; }
    /// <summary>"kernel-update": a newer kernel without an ena module was installed and booted before the scenario starts.</summary>
    public string? Broken { get; init; }
    public ScenarioFaults? Faults { get; init; }
}

public sealed record ScenarioFaults
{
    public bool StuckStopping { get; init; }
    public int InsufficientCapacityStarts { get; init; }
    public bool SsmAgentNeverOnline { get; init; }
    public bool DriverBuildFails { get; init; }
    public bool ValidationFailsAfterEnaEnabled { get; init; }
    public bool SystemCheckImpaired { get; init; }
}
