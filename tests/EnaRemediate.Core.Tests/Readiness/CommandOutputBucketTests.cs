using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Core.Tests.Readiness;

/// <summary>The S3 key SSM writes a step's stdout to, and the checks on a configured bucket.</summary>
public sealed class CommandOutputBucketTests
{
    [Theory]
    [InlineData("inventory/runs", "inventory/runs/cmd-1/i-0abc/awsrunShellScript/collectHostReport/stdout")]
    [InlineData("/inventory/runs/", "inventory/runs/cmd-1/i-0abc/awsrunShellScript/collectHostReport/stdout")]
    [InlineData("", "cmd-1/i-0abc/awsrunShellScript/collectHostReport/stdout")]
    public void The_stdout_key_follows_the_agents_layout(string prefix, string key) =>
        Assert.Equal(key, new CommandOutputBucket("b", prefix).StdoutKey("cmd-1", "i-0abc", DocumentSteps.CollectHostReport));

    [Fact]
    public void No_bucket_is_null_and_the_default_prefix_applies()
    {
        Assert.Null(CommandOutputBucket.Create(null, "x"));
        Assert.Null(CommandOutputBucket.Create("", null));
        Assert.Equal(new CommandOutputBucket("my.stack-bucket-1", CommandOutputBucket.DefaultPrefix), CommandOutputBucket.Create("my.stack-bucket-1", null));
    }

    [Theory]
    [InlineData("ab", "p")]
    [InlineData("Upper", "p")]
    [InlineData("-leading", "p")]
    [InlineData("two..dots", "p")]
    [InlineData("bucket/key", "p")]
    [InlineData("good-bucket", "with space")]
    [InlineData("good-bucket", "new\nline")]
    [InlineData("good-bucket", "quote\"s")]
    public void Bad_buckets_and_prefixes_are_refused(string bucket, string prefix) =>
        Assert.Throws<ArgumentException>(() => CommandOutputBucket.Create(bucket, prefix));
}
