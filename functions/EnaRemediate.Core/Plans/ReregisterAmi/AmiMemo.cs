namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>Keys of the record memo the reregister-ami steps share (what was observed, what was intended, what was made).</summary>
public static class AmiMemo
{
    /// <summary>The source image as observed (JSON of <see cref="Engine.Ports.Ec2Image"/>), or absent until inspected.</summary>
    public const string Source = "ami.source";
    /// <summary>Set to the id when DescribeImages did not know the source image.</summary>
    public const string SourceMissing = "ami.source.missing";
    /// <summary>The instance's launch settings (JSON of <see cref="Engine.Ports.LaunchSettings"/>).</summary>
    public const string Launch = "ami.launch";
    /// <summary>The name the new image gets: saved before RegisterImage, so a retry after a crash finds the image by it.</summary>
    public const string IntendedName = "ami.name";
    public const string NewImageId = "ami.new.id";
    /// <summary>"true" when an ENA-disabled image of this source already existed and was reused.</summary>
    public const string Reused = "ami.reused";
    public const string Tagged = "ami.tagged";
    public const string NewImageState = "ami.new.state";
    public const string NewImageSeenAt = "ami.new.seenAt";
    public const string ReplacementInstanceId = "ami.replacement.id";
    /// <summary>The run-instances parameters of a like-for-like replacement (JSON of <see cref="ReplacementParameters"/>).</summary>
    public const string RunInstances = "ami.runInstances";
    /// <summary>"true" when the request asked for the replacement to be launched.</summary>
    public const string LaunchReplacementOption = "option.launchReplacement";
    public const string RefusalCode = "refusal.code";

    /// <summary>"true" when the request asked to take the ENA-off replacement on to the driver and ENA (--then-remediate).</summary>
    public const string ThenRemediateOption = "option.thenRemediate";
    /// <summary>The S3 bucket the fixed replacement is re-bundled into (the request's bundleBucket option).</summary>
    public const string BundleBucketOption = "option.bundleBucket";
    /// <summary>Where the re-bundle was asked to go: saved with the SendCommand, so a rerun uses the same place.</summary>
    public const string BundleBucket = "bundle.bucket";
    public const string BundlePrefix = "bundle.prefix";
    /// <summary>The manifest the re-bundle reported uploading (bucket/prefix/image.manifest.xml).</summary>
    public const string BundleManifest = "bundle.manifest";
    public const string EnaImageName = "ami.ena.name";
    public const string EnaImageId = "ami.ena.id";
    public const string EnaImageState = "ami.ena.state";
    public const string EnaImageSeenAt = "ami.ena.seenAt";
    public const string EnaReplacementInstanceId = "ami.enaReplacement.id";
}
