using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// rebundle: on the fixed ENA-off replacement, EnaRemediate-RebundleInstance bundles the root file
/// system with the EC2 AMI tools (ec2-bundle-vol) and uploads it (ec2-upload-bundle) to
/// bucket/prefix. The bucket comes from the request (bundleBucket), the prefix from the
/// remediation id; both are saved with the send, so a rerun bundles to the same place. They reach
/// the host only as document parameters, checked here, by the document's allowedPattern and by
/// the script. Waiting and judging are <see cref="RunCommandStep"/>'s.
/// </summary>
public sealed partial class RebundleStep : IPlanStep
{
    public const string DocumentName = "EnaRemediate-RebundleInstance";
    public const string StepName = "rebundle";
    public const string ManifestFile = "image.manifest.xml";
    private readonly RunCommandStep _inner = new(StepName, _ => DocumentName, _ => new Dictionary<string, IReadOnlyList<string>>(), Judge, ExpectedLatencies.Rebundle);

    public string Name => StepName;
    public IReadOnlyList<string> Permissions => _inner.Permissions;
    public IReadOnlySet<string> ValidOriginStates => _inner.ValidOriginStates;
    public EngineAction? PlannedAction(EngineOptions options) => null;

    /// <summary>S3's bucket naming rules (lower case, digits, dots and hyphens, 3 to 63 characters).</summary>
    public static bool IsBucketName(string? value) => value is not null && Bucket().IsMatch(value) && !value.Contains("..", StringComparison.Ordinal);

    /// <summary>Where the bundle of this remediation goes (S3 key prefix): one place per remediation.</summary>
    public static string PrefixFor(string remediationId) => "enaremediate/bundles/" + remediationId;

    public static string ManifestLocation(string bucket, string prefix) => $"{bucket}/{prefix}/{ManifestFile}";

    public StepDecision Decide(StepContext context)
    {
        if (context.Memo(MemoKeys.CommandId(Name)) is not null)
        {
            return _inner.Decide(context);
        }
        var bucket = context.Memo(AmiMemo.BundleBucket) ?? context.Memo(AmiMemo.BundleBucketOption);
        if (!IsBucketName(bucket))
        {
            return new StepDecision.Fail(bucket is null
                ? "no S3 bucket to re-bundle into was given (bundleBucket)"
                : $"the bundle bucket '{bucket}' is not an S3 bucket name");
        }
        var prefix = context.Memo(AmiMemo.BundlePrefix) ?? PrefixFor(context.Record.RemediationId);
        if (!Prefix().IsMatch(prefix) || prefix.Contains("..", StringComparison.Ordinal))
        {
            return new StepDecision.Fail($"the bundle prefix '{prefix}' is not a plain S3 key prefix");
        }
        var architecture = FromSource(context)?.Architecture ?? "x86_64";
        return _inner.Decide(context) switch
        {
            StepDecision.Act act => act with
            {
                Action = new SendCommandAction(DocumentName, new Dictionary<string, IReadOnlyList<string>>
                {
                    ["Bucket"] = [bucket!],
                    ["KeyPrefix"] = [prefix],
                    ["Architecture"] = [architecture],
                }, MemoKeys.CommandId(Name)),
                Event = $"re-bundling the fixed replacement into s3://{bucket}/{prefix}/",
                Memo = ImmutableDictionary<string, string>.Empty.Add(AmiMemo.BundleBucket, bucket!).Add(AmiMemo.BundlePrefix, prefix),
            },
            var other => other,
        };
    }

    private static Ec2Image? FromSource(StepContext context) =>
        context.Memo(AmiMemo.Source) is { } json ? JsonSerializer.Deserialize<Ec2Image>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web)) : null;

    /// <summary>The result is the last stdout line: {"status":"uploaded","manifest":"BUCKET/PREFIX/image.manifest.xml"} or a failure with its error.</summary>
    internal static CommandJudgement Judge(CommandInvocation invocation)
    {
        var last = (invocation.StandardOutput ?? "").Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
        string? status = null, manifest = null, error = null;
        try
        {
            if (last is not null && JsonDocument.Parse(last).RootElement is { ValueKind: JsonValueKind.Object } root)
            {
                status = Text(root, "status");
                manifest = Text(root, "manifest");
                error = Text(root, "error");
            }
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            // Not a result line (or not valid text): judged as no result below.
        }
        if (status is null)
        {
            return new(false, $"the re-bundle printed no result (command {invocation.Status}, exit {invocation.ResponseCode?.ToString() ?? "unknown"})");
        }
        if (!invocation.Succeeded || status != "uploaded" || manifest is null)
        {
            return new(false, $"the re-bundle {status}: {error ?? "no detail"}");
        }
        return new(true, $"bundle uploaded: {manifest}", ImmutableDictionary<string, string>.Empty.Add(AmiMemo.BundleManifest, manifest));
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex Bucket();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$")]
    private static partial Regex Prefix();
}
