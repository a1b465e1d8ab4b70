using EnaRemediate.Core.Engine.Ports;
namespace EnaRemediate.Core.Readiness;

/// <summary>
/// Where SSM writes the full output of a command sent with OutputS3BucketName/OutputS3KeyPrefix,
/// which GetCommandInvocation cuts at 24,000 characters. The agent writes a schema 2.2 document's
/// step to <c>PREFIX/COMMAND_ID/INSTANCE_ID/awsrunShellScript/STEP/stdout</c>: the action name
/// without its colon, then the step's name (AWS-RunPatchBaseline's output is read at
/// <c>…/awsrunShellScript/PatchLinux/stdout</c>; schema 1.2 documents use <c>0.awsrunShellScript</c>).
/// </summary>
public sealed partial record CommandOutputBucket(string BucketName, string KeyPrefix)
{
    /// <summary>The key prefix the inventory's commands write under when none is given.</summary>
    public const string DefaultPrefix = "enaremediate/command-output";

    /// <summary>
    /// A bucket from configuration (a CLI option, a function's environment), checked against S3's
    /// bucket naming rules and a plain key prefix; null for no bucket. Bad input is an <see cref="ArgumentException"/>.
    /// </summary>
    public static CommandOutputBucket? Create(string? bucketName, string? keyPrefix)
    {
        if (string.IsNullOrEmpty(bucketName))
        {
            return null;
        }
        if (!BucketNamePattern().IsMatch(bucketName) || bucketName.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"output bucket '{bucketName}': an S3 bucket name is 3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit");
        }
        var prefix = keyPrefix ?? DefaultPrefix;
        if (!KeyPrefixPattern().IsMatch(prefix))
        {
            throw new ArgumentException($"output prefix '{prefix}': at most 500 letters, digits and ! - _ . * ' ( ) /");
        }
        return new CommandOutputBucket(bucketName, prefix);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial System.Text.RegularExpressions.Regex BucketNamePattern();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9!\-_.*'()/]{0,500}$")]
    private static partial System.Text.RegularExpressions.Regex KeyPrefixPattern();

    /// <summary>The key of one instance's stdout of one step; an empty prefix puts the command id first.</summary>
    public string StdoutKey(string commandId, string instanceId, string stepName) =>
        (KeyPrefix.Trim('/') is { Length: > 0 } prefix ? prefix + "/" : "") + $"{commandId}/{instanceId}/awsrunShellScript/{stepName}/stdout";
}

/// <summary>The step names of the generated documents (driver/generate-documents.sh), which the S3 keys carry.</summary>
public static class DocumentSteps
{
    public const string CollectHostReport = "collectHostReport";
    public const string InstallDriver = "installEnaDriver";
}

/// <summary>The calls that send a command with an output bucket and read its full output back.</summary>
public interface ICommandOutputPort
{
    /// <summary>SendCommand with OutputS3BucketName and OutputS3KeyPrefix; returns the command id.</summary>
    [AwsAction("ssm:SendCommand", Mutating = true)]
    Task<string> SendCommandAsync(string documentName, IReadOnlyList<string> instanceIds, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters,
        string comment, CommandOutputBucket output, CancellationToken cancellationToken);

    /// <summary>The object's text, or null when the bucket or the key does not exist.</summary>
    [AwsAction("s3:GetObject")]
    Task<string?> ReadTextAsync(string bucketName, string key, CancellationToken cancellationToken);
}

/// <summary>An output bucket and the port that reads it: what a <see cref="CommandBatch"/> or <see cref="LatestCollectRuns"/> needs to read cut outputs in full.</summary>
public sealed record CommandOutputReader(ICommandOutputPort Port, CommandOutputBucket Bucket)
{
    /// <summary>The invocation with its full stdout from the bucket when SSM cut it; the cut one and why when there is no bucket or it does not have it.</summary>
    public static async Task<(CommandInvocation Invocation, string? Problem)> FullOutputAsync(CommandOutputReader? reader, CommandInvocation invocation, string commandId, string instanceId, string step, CancellationToken cancellationToken)
    {
        if (reader is not { } output || !invocation.StandardOutput.TrimEnd().EndsWith(HostReportOutput.SsmTruncationMarker, StringComparison.Ordinal))
        {
            return (invocation, null);
        }
        var key = output.Bucket.StdoutKey(commandId, instanceId, step);
        try
        {
            return await output.Port.ReadTextAsync(output.Bucket.BucketName, key, cancellationToken) is { } text
                ? (invocation with { StandardOutput = text }, null)
                : (invocation, $"SSM cut the output at 24,000 characters and s3://{output.Bucket.BucketName}/{key} does not exist (the agent could not write to the bucket)");
        }
        catch (AwsCallException e)
        {
            return (invocation, $"SSM cut the output at 24,000 characters and reading s3://{output.Bucket.BucketName}/{key} failed: {e.ErrorCode}: {e.ServiceMessage}");
        }
    }
}
