using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.ReregisterAmi;

namespace EnaRemediate.Engine.Tests.ReregisterAmi;

/// <summary>Unit tests of the pure parts: the predictable name and the run-instances command line built from untrusted tag text.</summary>
public sealed class NamingAndParametersTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 27, 23, 59, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("debian-12-instance-store", "debian-12-instance-store-ena-disabled-20261127")]
    [InlineData("web (prod) v1.2", "web (prod) v1.2-ena-disabled-20261127")]
    [InlineData("bad$name;`x`", "bad-name--x--ena-disabled-20261127")]
    [InlineData("", "image-ena-disabled-20261127")]
    public void TheNameIsTheOriginalPlusTheSuffixWithCharactersEc2Refuses(string original, string expected) =>
        Assert.Equal(expected, AmiNaming.NameFor(original, Day));

    [Fact]
    public void ALongOriginalIsShortenedSoTheNameStaysWithinEc2sLimit()
    {
        var name = AmiNaming.NameFor(new string('a', 200), Day);
        Assert.Equal(128, name.Length);
        Assert.EndsWith("-ena-disabled-20261127", name);
    }

    [Fact]
    public void ReservedAwsTagsAreNotCopiedAndTheEnaRemediateTagsWin()
    {
        var tags = AmiNaming.TagsFor(new Dictionary<string, string> { ["aws:cloudformation:stack-name"] = "x", ["team"] = "a", [AmiNaming.SourceImageTag] = "forged" }, "ami-1", "r-1");
        Assert.Equal(new Dictionary<string, string> { ["team"] = "a", [AmiNaming.SourceImageTag] = "ami-1", [AmiNaming.RemediationIdTag] = "r-1" }, tags);
    }

    [Fact]
    public void TheCommandLineQuotesHostileTagValuesSoAShellRunsNothingFromThem()
    {
        var parameters = ReplacementParameters.For("ami-0123456789abcdef0", "i-0123456789abcdef0", new LaunchSettings
        {
            InstanceId = "i-0123456789abcdef0",
            InstanceType = "c3.large",
            SecurityGroupIds = ["sg-1"],
            Tags = new Dictionary<string, string> { ["note"] = "it's $(reboot)", ["aws:autoscaling:groupName"] = "asg" },
        });

        var line = parameters.ToCommandLine();

        Assert.Contains("--instance-type 'c3.large'", line);
        Assert.Contains("--security-group-ids 'sg-1'", line);
        Assert.DoesNotContain("aws:autoscaling", line);
        // Every single quote inside a value is closed, escaped and reopened: the $( ) stays literal text.
        Assert.Contains("it'\"'\"'s $(reboot)", line);
        Assert.StartsWith("aws ec2 run-instances --image-id 'ami-0123456789abcdef0' --count 1", line);
    }
}
