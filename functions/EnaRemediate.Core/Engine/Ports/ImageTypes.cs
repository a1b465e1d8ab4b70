namespace EnaRemediate.Core.Engine.Ports;

/// <summary>What DescribeImages says about one AMI, in plain Core types: everything RegisterImage needs to copy it.</summary>
public sealed record Ec2Image
{
    public required string ImageId { get; init; }
    public required string Name { get; init; }
    /// <summary>pending, available, invalid, deregistered, transient, failed, error, disabled.</summary>
    public required string State { get; init; }
    public required string OwnerId { get; init; }
    /// <summary>Whether DescribeImages with Owners=self returns it.</summary>
    public bool OwnedBySelf { get; init; }
    public string? Description { get; init; }
    /// <summary>The S3 manifest of an instance-store-backed AMI.</summary>
    public string? ImageLocation { get; init; }
    public string? Architecture { get; init; }
    /// <summary>hvm or paravirtual.</summary>
    public string? VirtualizationType { get; init; }
    /// <summary>ebs or instance-store.</summary>
    public string? RootDeviceType { get; init; }
    public string? RootDeviceName { get; init; }
    public string? KernelId { get; init; }
    public string? RamdiskId { get; init; }
    public string? BootMode { get; init; }
    public bool EnaSupport { get; init; }
    public string? SriovNetSupport { get; init; }
    public IReadOnlyList<ImageDeviceMapping> BlockDeviceMappings { get; init; } = [];
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

/// <summary>One block device mapping: an instance store (VirtualName ephemeralN), an EBS volume, or a suppressed device.</summary>
public sealed record ImageDeviceMapping(
    string DeviceName,
    string? VirtualName = null,
    string? SnapshotId = null,
    int? VolumeSize = null,
    bool? DeleteOnTermination = null,
    string? VolumeType = null,
    bool NoDevice = false);

/// <summary>The RegisterImage request of the reregister-ami plan (a copy of a source image's attributes).</summary>
public sealed record ImageRegistration
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required string ImageLocation { get; init; }
    public string? Architecture { get; init; }
    public string? VirtualizationType { get; init; }
    public string? RootDeviceName { get; init; }
    public string? KernelId { get; init; }
    public string? RamdiskId { get; init; }
    public string? BootMode { get; init; }
    public bool EnaSupport { get; init; }
    public string? SriovNetSupport { get; init; }
    public IReadOnlyList<ImageDeviceMapping> BlockDeviceMappings { get; init; } = [];
}

/// <summary>The launch settings of a running instance that a like-for-like replacement copies.</summary>
public sealed record LaunchSettings
{
    public required string InstanceId { get; init; }
    public string? InstanceType { get; init; }
    public string? SubnetId { get; init; }
    public string? AvailabilityZone { get; init; }
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
    public string? KeyName { get; init; }
    public string? IamInstanceProfileArn { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

/// <summary>The RunInstances of a replacement: one instance from the new AMI with the original's settings.</summary>
public sealed record ReplacementLaunch
{
    public required string ImageId { get; init; }
    public required string InstanceType { get; init; }
    public string? SubnetId { get; init; }
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
    public string? KeyName { get; init; }
    public string? IamInstanceProfileArn { get; init; }
    /// <summary>The instance whose user data the replacement gets (read at launch time, never stored).</summary>
    public required string UserDataFromInstanceId { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>RunInstances ClientToken: the remediation id, so a repeat after a crash launches nothing new.</summary>
    public required string ClientToken { get; init; }
}
