using System.Text;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// The run-instances parameters of a like-for-like replacement from the new AMI, as data (for the
/// record, the CLI's JSON and <c>launchReplacement</c>) and as an aws CLI command line to copy.
/// User data is referenced, not copied: it may hold secrets, and it is read only at launch time.
/// </summary>
public sealed record ReplacementParameters
{
    public const string EphemeralWarning =
        "Instance-store (ephemeral) volumes do not carry over: the replacement starts with empty instance stores. Copy the data off the original first; the original keeps running until you terminate it.";

    public required string ImageId { get; init; }
    public string? InstanceType { get; init; }
    public string? SubnetId { get; init; }
    public string? AvailabilityZone { get; init; }
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
    public string? KeyName { get; init; }
    public string? IamInstanceProfileArn { get; init; }
    /// <summary>Where the user data comes from: the original instance's userData attribute.</summary>
    public required string UserDataReference { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public string Warning { get; init; } = EphemeralWarning;

    public static ReplacementParameters For(string newImageId, string originalInstanceId, LaunchSettings? settings) => new()
    {
        ImageId = newImageId,
        InstanceType = settings?.InstanceType,
        SubnetId = settings?.SubnetId,
        AvailabilityZone = settings?.AvailabilityZone,
        SecurityGroupIds = settings?.SecurityGroupIds ?? [],
        KeyName = settings?.KeyName,
        IamInstanceProfileArn = settings?.IamInstanceProfileArn,
        UserDataReference = $"aws ec2 describe-instance-attribute --instance-id {originalInstanceId} --attribute userData (base64; decode it into a file and pass --user-data file://...)",
        // aws: tags are EC2's own and cannot be set; the rest make the replacement look like the original.
        Tags = (settings?.Tags ?? new Dictionary<string, string>()).Where(t => !t.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
    };

    /// <summary>The RunInstances request launchReplacement makes (the client token makes a repeat harmless).</summary>
    public ReplacementLaunch ToLaunch(string originalInstanceId, string clientToken) => new()
    {
        ImageId = ImageId,
        InstanceType = InstanceType ?? throw new InvalidOperationException("the original's instance type is unknown"),
        SubnetId = SubnetId,
        SecurityGroupIds = SecurityGroupIds,
        KeyName = KeyName,
        IamInstanceProfileArn = IamInstanceProfileArn,
        UserDataFromInstanceId = originalInstanceId,
        Tags = Tags,
        ClientToken = clientToken,
    };

    /// <summary>An aws CLI command line; every value is shell-quoted, since tag values come from the account and are untrusted text.</summary>
    public string ToCommandLine()
    {
        var line = new StringBuilder("aws ec2 run-instances --image-id ").Append(Quote(ImageId)).Append(" --count 1");
        Append(line, "--instance-type", InstanceType);
        Append(line, "--subnet-id", SubnetId);
        if (SecurityGroupIds.Count > 0)
        {
            line.Append(" --security-group-ids");
            foreach (var group in SecurityGroupIds)
            {
                line.Append(' ').Append(Quote(group));
            }
        }
        Append(line, "--key-name", KeyName);
        Append(line, "--iam-instance-profile", IamInstanceProfileArn is null ? null : "Arn=" + IamInstanceProfileArn);
        if (Tags.Count > 0)
        {
            var tags = string.Join(",", Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{{Key={TagText(t.Key)},Value={TagText(t.Value)}}}"));
            line.Append(" --tag-specifications ").Append(Quote($"ResourceType=instance,Tags=[{tags}]"));
        }
        return line.Append(" --user-data file://user-data.txt").ToString();
    }

    private static void Append(StringBuilder line, string option, string? value)
    {
        if (value is not null)
        {
            line.Append(' ').Append(option).Append(' ').Append(Quote(value));
        }
    }

    // The shorthand syntax of the aws CLI: values with separators are double-quoted inside the argument.
    private static string TagText(string value) =>
        value.IndexOfAny([',', '=', '{', '}', '[', ']', ' ', '"']) >= 0 ? "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>POSIX single quotes: nothing inside is interpreted by the shell.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";
}
