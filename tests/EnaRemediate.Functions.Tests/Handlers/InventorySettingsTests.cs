using EnaRemediate.Functions.Handlers;

namespace EnaRemediate.Functions.Tests.Handlers;

/// <summary>The inventory's auto-fix switch and output bucket from the environment: absent is off and none, anything malformed stops the function at init.</summary>
public sealed class InventorySettingsTests
{
    private static FunctionSettings Settings(string? autoFix, string? bucket) => FunctionSettings.From(name => name switch
    {
        "AWS_REGION" => "us-east-1",
        FunctionSettings.HandlerVariable => "inventory",
        FunctionSettings.TableVariable => "records",
        FunctionSettings.InventoryAutoFixVariable => autoFix,
        FunctionSettings.OutputBucketVariable => bucket,
        _ => null,
    });

    [Fact]
    public void Absent_or_empty_is_no_auto_fix_and_no_bucket()
    {
        Assert.Equal((false, null), (Settings(null, null).InventoryAutoFix, Settings(null, null).OutputBucket));
        Assert.Equal((false, null), (Settings("", "").InventoryAutoFix, Settings("", "").OutputBucket));
    }

    [Fact]
    public void True_and_a_bucket_are_read()
    {
        var settings = Settings("TRUE", "stack-bucket");
        Assert.True(settings.InventoryAutoFix);
        Assert.Equal(("stack-bucket", Core.Readiness.CommandOutputBucket.DefaultPrefix), (settings.OutputBucket!.BucketName, settings.OutputBucket.KeyPrefix));
    }

    [Theory]
    [InlineData("yes", null, FunctionSettings.InventoryAutoFixVariable)]
    [InlineData("1", null, FunctionSettings.InventoryAutoFixVariable)]
    [InlineData(null, "Not_A_Bucket", FunctionSettings.OutputBucketVariable)]
    [InlineData(null, "b", FunctionSettings.OutputBucketVariable)]
    public void Malformed_values_are_configuration_errors_naming_the_variable(string? autoFix, string? bucket, string variable) =>
        Assert.Contains(variable, Assert.Throws<ConfigurationException>(() => Settings(autoFix, bucket)).Message);
}
