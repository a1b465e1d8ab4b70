using Amazon.Runtime;
using EnaRemediate.Core.Engine;
using EnaRemediate.Functions.Handlers;

namespace EnaRemediate.Functions.Tests.Handlers;

/// <summary>template.yaml's offline-repair parameters reach the advance function's engine through its environment; bad values stop it at init.</summary>
public sealed class OfflineRepairSettingsTests
{
    private const string Profile = "arn:aws:iam::123456789012:instance-profile/enaremediate-InstanceProfile-EXAMPLE";

    private static FunctionSettings Settings(IReadOnlyDictionary<string, string?> more) => FunctionSettings.From(name => name switch
    {
        "AWS_REGION" => "us-east-1",
        FunctionSettings.HandlerVariable => "advance",
        FunctionSettings.TableVariable => "records",
        _ => more.GetValueOrDefault(name),
    });

    [Fact]
    public void The_advance_engine_gets_the_rescue_images_profile_stack_name_and_snapshot_retention_from_the_environment()
    {
        var settings = Settings(new Dictionary<string, string?>
        {
            [FunctionSettings.StackNameVariable] = "ena-prod",
            [FunctionSettings.RescueImageX86Variable] = "ami-0a1b2c3d4e5f60718",
            [FunctionSettings.RescueImageArm64Variable] = "ami-0f1e2d3c4b5a69788",
            [FunctionSettings.RescueProfileVariable] = Profile,
            [FunctionSettings.KeepSnapshotVariable] = "true",
            [FunctionSettings.MaxRescuesVariable] = "12",
        });
        var services = new FunctionServices(settings, TimeProvider.System, new BasicAWSCredentials("test", "test"));
        Assert.IsType<AdvanceHandler>(HandlerCatalog.Create(services));

        var nitro = services.Engine.Options.Nitro;
        Assert.Equal("ena-prod", nitro.StackName);
        Assert.Equal("ami-0a1b2c3d4e5f60718", nitro.RescueImages["x86_64"]);
        Assert.Equal("ami-0f1e2d3c4b5a69788", nitro.RescueImages["arm64"]);
        Assert.Equal(Profile, nitro.RescueInstanceProfileArn);
        Assert.True(nitro.KeepSnapshot);
        Assert.Equal(12, nitro.MaxConcurrentRescues);
    }

    [Fact]
    public void Without_them_offline_repair_has_no_rescue_image_and_uses_the_cli_name()
    {
        var nitro = Settings(new Dictionary<string, string?>()).EngineOptions().Nitro;
        Assert.Empty(nitro.RescueImages);
        Assert.Equal(NitroOptions.CliStackName, nitro.StackName);
        Assert.Null(nitro.RescueInstanceProfileArn);
        Assert.False(nitro.KeepSnapshot);
        Assert.Equal(50, nitro.MaxConcurrentRescues);
    }

    [Theory]
    [InlineData(FunctionSettings.RescueImageArm64Variable, "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64")]
    [InlineData(FunctionSettings.RescueProfileVariable, "arn:aws:iam::123456789012:role/Administrator")]
    [InlineData(FunctionSettings.StackNameVariable, "stack\"},{\"Effect\":\"Allow")]
    [InlineData(FunctionSettings.KeepSnapshotVariable, "yes")]
    [InlineData(FunctionSettings.MaxRescuesVariable, "0")]
    [InlineData(FunctionSettings.MaxRescuesVariable, "501")]
    [InlineData(FunctionSettings.MaxRescuesVariable, "-3")]
    [InlineData(FunctionSettings.MaxRescuesVariable, "12; terminate")]
    public void A_malformed_value_is_a_configuration_error(string variable, string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => Settings(new Dictionary<string, string?> { [variable] = value }));
        Assert.Contains(variable, error.Message);
    }
}
