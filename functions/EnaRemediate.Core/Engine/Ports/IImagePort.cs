namespace EnaRemediate.Core.Engine.Ports;

/// <summary>
/// The EC2 image calls of the reregister-ami plan (see <see cref="IEc2Port"/> for the conventions:
/// each method names its IAM action; implementations throw <see cref="AwsCallException"/>).
/// Kept apart from <see cref="IEc2Port"/> so the fallback engine's port stays as small as its plan.
/// There is deliberately no stop, reboot or terminate here: this plan never needs one.
/// </summary>
public interface IImagePort
{
    /// <summary>One image by id, with whether this account owns it; null when EC2 does not know the id (never registered, or deregistered).</summary>
    [AwsAction("ec2:DescribeImages")]
    Task<Ec2Image?> DescribeImageAsync(string imageId, CancellationToken cancellationToken);

    /// <summary>This account's images with the given exact name or tag (both optional, both must match when given).</summary>
    [AwsAction("ec2:DescribeImages")]
    Task<IReadOnlyList<Ec2Image>> FindOwnImagesAsync(string? name, KeyValuePair<string, string>? tag, CancellationToken cancellationToken);

    /// <summary>RegisterImage; returns the new image id. EC2 refuses a name already in use (InvalidAMIName.Duplicate).</summary>
    [AwsAction("ec2:RegisterImage", Mutating = true)]
    Task<string> RegisterImageAsync(ImageRegistration registration, CancellationToken cancellationToken);

    /// <summary>CreateTags on one image (adds or overwrites; idempotent).</summary>
    [AwsAction("ec2:CreateTags", Mutating = true)]
    Task TagImageAsync(string imageId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>What a like-for-like replacement of this instance needs (type, network, key, profile, tags); null when EC2 does not know it.</summary>
    [AwsAction("ec2:DescribeInstances")]
    Task<LaunchSettings?> DescribeLaunchSettingsAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>The instance's user data, base64 as EC2 stores it; null when it has none. Read only at launch time, never recorded.</summary>
    [AwsAction("ec2:DescribeInstanceAttribute")]
    Task<string?> DescribeUserDataAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>RunInstances of one instance; the client token makes a repeat return the first launch instead of a second instance.</summary>
    [AwsAction("ec2:RunInstances", Mutating = true)]
    [AwsAction("ec2:CreateTags", Mutating = true)]
    [AwsAction("iam:PassRole")]
    Task<string> RunInstanceAsync(ReplacementLaunch launch, string? userData, CancellationToken cancellationToken);
}
