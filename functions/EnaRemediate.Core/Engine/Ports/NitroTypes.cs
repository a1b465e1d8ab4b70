namespace EnaRemediate.Core.Engine.Ports;

/// <summary>An instance as routing and offline repair see it (DescribeInstances), in plain Core types.</summary>
public sealed record NitroInstance
{
    public required string InstanceId { get; init; }
    public string? Architecture { get; init; }
    /// <summary>The boot mode it runs in (currentInstanceBootMode, else bootMode): legacy-bios or uefi.</summary>
    public string? BootMode { get; init; }
    public string? AvailabilityZone { get; init; }
    public string? SubnetId { get; init; }
    /// <summary>default, dedicated or host.</summary>
    public string? Tenancy { get; init; }
    public string? HostId { get; init; }
    public int NetworkInterfaces { get; init; }
    /// <summary>Product codes of type marketplace.</summary>
    public IReadOnlyList<string> MarketplaceCodes { get; init; } = [];
    public string? RootDeviceName { get; init; }
    /// <summary>The EBS volume mapped at the root device; null when none is (or the root is not EBS).</summary>
    public string? RootVolumeId { get; init; }
    public bool RootDeleteOnTermination { get; init; }
}

/// <summary>What DescribeInstanceTypes says about a type that choosing a stand-in needs.</summary>
public sealed record InstanceTypeDetails
{
    public required string Name { get; init; }
    public IReadOnlyList<string> Architectures { get; init; } = [];
    public IReadOnlyList<string> VirtualizationTypes { get; init; } = [];
    public IReadOnlyList<string> RootDeviceTypes { get; init; } = [];
    public IReadOnlyList<string> BootModes { get; init; } = [];
    public string? Hypervisor { get; init; }
    public string? EnaSupport { get; init; }
    public int VCpus { get; init; }
    public long MemoryMiB { get; init; }
    public int MaxNetworkInterfaces { get; init; }
}

/// <summary>One EBS volume and where it is attached (attachment state attaching, attached, detaching; null when available).</summary>
public sealed record VolumeState(string VolumeId, string State, string AvailabilityZone, string? VolumeType, bool Encrypted, string? KmsKeyId,
    string? AttachedTo, string? Device, string? AttachmentState)
{
    public bool IsAttached(string instanceId, string device) => AttachedTo == instanceId && Device == device && AttachmentState == "attached";
    public bool IsAvailable => State == "available";
}

/// <summary>One snapshot: pending, completed or error.</summary>
public sealed record SnapshotState(string SnapshotId, string State);

/// <summary>A rescue instance the stack launched, with its tags (the claims) and the devices in use on it.</summary>
public sealed record RescueInstance(string InstanceId, string State, string? AvailabilityZone, string? Architecture,
    IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> AttachedDevices, string? RootDeviceName);

/// <summary>RunInstances of a rescue instance: where it runs, what it is, and the tags it is launched with.</summary>
public sealed record RescueLaunch
{
    public required string ImageId { get; init; }
    public required string InstanceType { get; init; }
    public required string AvailabilityZone { get; init; }
    public string? SubnetId { get; init; }
    public string? IamInstanceProfileArn { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public required string ClientToken { get; init; }
}

/// <summary>Tags the stack puts on what it creates for offline repair; the template scopes IAM by them.</summary>
public static class RescueTags
{
    /// <summary>
    /// The launching stack's name (<see cref="NitroOptions.StackName"/>) on every rescue instance, snapshot
    /// and volume it creates: the template lets a stack terminate, tag and command only what carries its own name.
    /// </summary>
    public const string LaunchedBy = "EnaRemediate:LaunchedBy";
    /// <summary>Prefix of a claim: "EnaRemediate:Claim:i-…" = the device the instance's root is (to be) attached at.</summary>
    public const string ClaimPrefix = "EnaRemediate:Claim:";
    /// <summary>On snapshots and restored volumes: the remediation they belong to.</summary>
    public const string RemediationId = "EnaRemediate:RemediationId";
    /// <summary>On an original root kept aside after a restore: the instance it came from.</summary>
    public const string OriginalRootOf = "EnaRemediate:OriginalRootOf";
}
