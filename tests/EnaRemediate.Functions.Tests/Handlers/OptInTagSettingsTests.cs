using EnaRemediate.Core.Triage;
using EnaRemediate.Functions.Handlers;

namespace EnaRemediate.Functions.Tests.Handlers;

/// <summary>The deployment's OptInTagKey reaches triage, and a key that could not be a tag (or would bend an IAM condition) stops the function at init.</summary>
public sealed class OptInTagSettingsTests
{
    private static FunctionSettings Settings(string? optInTag) => FunctionSettings.From(name => name switch
    {
        "AWS_REGION" => "us-east-1",
        FunctionSettings.HandlerVariable => "intake",
        FunctionSettings.TableVariable => "records",
        FunctionSettings.OptInTagVariable => optInTag,
        _ => null,
    });

    [Fact]
    public void Without_a_key_the_documented_default_is_used()
    {
        Assert.Equal(TriageRules.OptInTag, Settings(null).OptInTagKey);
        Assert.Equal(TriageRules.OptInTag, Settings(null).EngineOptions().OptInTagKey);
    }

    [Theory]
    [InlineData("team:ena-remediation")]
    [InlineData("Auto Repair")]
    [InlineData("ops/ena=allowed+@1")]
    public void A_custom_key_reaches_the_engine_options(string key) =>
        Assert.Equal(key, Settings(key).EngineOptions().OptInTagKey);

    [Theory]
    [InlineData("aws:autoscaling:groupName")]
    [InlineData("AWS:reserved")]
    [InlineData("opt\"in")]
    [InlineData("opt-in}\"},\"Effect\":\"Allow")]
    [InlineData("$(reboot)")]
    public void A_key_that_is_not_a_usable_tag_is_a_configuration_error(string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => Settings(key));
        Assert.Contains(FunctionSettings.OptInTagVariable, error.Message);
    }

    [Fact]
    public void A_key_longer_than_ec2_allows_is_a_configuration_error() =>
        Assert.Throws<ConfigurationException>(() => Settings(new string('k', 129)));
}
