using System.Text.Json;
using System.Text.RegularExpressions;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>
/// EnaRemediate-RebundleInstance against the guest model, as driver/scripts/rebundle-instance.sh:
/// ec2-bundle-vol bundles the root file system as it is now (with whatever DKMS built into it),
/// ec2-upload-bundle puts the parts and image.manifest.xml under Bucket/KeyPrefix, and the last
/// stdout line is the result JSON. An EBS-backed root is refused (that is CreateImage's job).
/// </summary>
internal sealed partial class RebundleInstanceDocument : SimulatedDocument
{
    public const string DocumentName = "EnaRemediate-RebundleInstance";

    public override string Name => DocumentName;
    public override string PluginName => "rebundleInstance";

    /// <summary>Names and allowedPatterns as in driver/documents/EnaRemediate-RebundleInstance.json.</summary>
    public override IReadOnlyList<DocumentParameter> Parameters { get; } =
    [
        new("Bucket", null, Bucket()),
        new("KeyPrefix", null, KeyPrefix()),
        new("Architecture", "x86_64", Architecture()),
    ];

    public override TimeSpan Duration(Random random) => random.Draw(Latencies.Rebundle);

    public override DocumentResult Run(DocumentRun run)
    {
        var bucket = run.Single("Bucket")!;
        var prefix = run.Single("KeyPrefix")!;
        if (prefix.Contains("..", StringComparison.Ordinal) || bucket.Contains("..", StringComparison.Ordinal))
        {
            return Result(64, "failed", null, "usage: --key-prefix and --bucket must not contain '..'");
        }
        if (!run.Instance.IsInstanceStoreBacked)
        {
            return Result(1, "failed", null, "ebs_root: the root device is EBS; create an image with CreateImage instead of bundling it");
        }
        if (run.Instance.Guest is not { } guest)
        {
            return Result(1, "failed", null, "no_root: no root file system");
        }
        var manifest = $"{bucket}/{prefix}/image.manifest.xml";
        run.World.UploadedBundles[manifest] = guest.Clone();
        return Result(0, "uploaded", manifest, null,
            $"ec2-bundle-vol: bundling / ({run.Single("Architecture")}) into image.manifest.xml\nec2-upload-bundle: uploaded the bundle to s3://{bucket}/{prefix}/\n");
    }

    private static DocumentResult Result(int exitCode, string status, string? manifest, string? error, string log = "")
    {
        var line = JsonSerializer.Serialize(new { status, manifest, error });
        return new DocumentResult(exitCode, log + line + "\n", error is null ? "" : error + "\n");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex Bucket();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$")]
    private static partial Regex KeyPrefix();

    [GeneratedRegex("^(i386|x86_64|arm64)$")]
    private static partial Regex Architecture();
}
