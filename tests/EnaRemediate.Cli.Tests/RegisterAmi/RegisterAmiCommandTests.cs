using System.Text.Json;
using EnaRemediate.Cli.Tests.Engine;
using EnaRemediate.Simulator;

namespace EnaRemediate.Cli.Tests.RegisterAmi;

/// <summary>`register-ami` as a process against the simulator's instance-store fleet on loopback.</summary>
public sealed class RegisterAmiCommandTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "enaremediate-ami-cli-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync() => _sim = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "instance-store", Speed = 1000 });

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private Task<CliProcess.Result> Run(params string[] args) =>
        CliProcess.RunAsync(["register-ami", .. args, "--endpoint-url", _sim.Endpoint.ToString(), "--store", Path.Combine(_stateDir, "records.db")]);

    [Fact]
    public async Task AnInstanceGetsAnEnaDisabledAmiAndAReplacementAndIsNeverStopped()
    {
        var id = _sim.World.Instances[0].InstanceId;

        var run = await Run("--instance-id", id, "--launch-replacement", "--format", "json");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var result = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("ami-registered", result.GetProperty("outcome").GetString());
        var imageId = result.GetProperty("imageId").GetString()!;
        var replacement = _sim.World.Instance(result.GetProperty("replacementInstanceId").GetString()!);
        Assert.Equal(imageId, replacement.ImageId);
        Assert.False(replacement.EnaSupport);
        Assert.Equal(imageId, result.GetProperty("runInstances").GetProperty("imageId").GetString());
        Assert.Equal("running", _sim.World.Instance(id).State);
        Assert.Equal(0, _sim.World.Counters["StopInstances", id] + _sim.World.Counters["RebootInstances", id] + _sim.World.Counters["TerminateInstances", id]);
    }

    [Fact]
    public async Task ThenRemediateTakesTheReplacementOnToAValidatedEnaEnabledReplacementAndStopsNothing()
    {
        var id = _sim.World.Instances[0].InstanceId;

        var run = await Run("--instance-id", id, "--launch-replacement", "--then-remediate", "--bundle-bucket", "enaremediate-stack-bundles", "--time-scale", "1000", "--format", "json");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var result = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("ami-registered", result.GetProperty("outcome").GetString());
        var off = _sim.World.Instance(result.GetProperty("replacementInstanceId").GetString()!);
        var on = _sim.World.Instance(result.GetProperty("enaReplacementInstanceId").GetString()!);
        Assert.False(off.EnaSupport);
        Assert.True(on.EnaSupport);
        Assert.Equal(result.GetProperty("enaImageId").GetString(), on.ImageId);
        Assert.Equal("ena", on.BoundNetworkDriver(_sim.World.Clock.GetUtcNow()));
        Assert.StartsWith("enaremediate-stack-bundles/enaremediate/bundles/", result.GetProperty("bundleManifest").GetString());
        Assert.Contains($"the replacement {off.InstanceId} keeps running with enaSupport off", result.GetProperty("remains").GetString());
        foreach (var instance in _sim.World.Instances)
        {
            Assert.Equal("running", instance.State);
            Assert.Equal(0, _sim.World.Counters["StopInstances", instance.InstanceId] + _sim.World.Counters["RebootInstances", instance.InstanceId] + _sim.World.Counters["TerminateInstances", instance.InstanceId]);
        }
    }

    [Fact]
    public async Task TheDryRunListsTheJourneyAndChangesNothing()
    {
        var id = _sim.World.Instances[0].InstanceId;

        var run = await Run("--instance-id", id, "--launch-replacement", "--then-remediate", "--bundle-bucket", "enaremediate-stack-bundles", "--dry-run");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.StartsWith($"dry-run: {id}", run.Stdout);
        Assert.Contains("ec2:RegisterImage", run.Stdout);
        Assert.Contains("EnaRemediate-InstallDriver", run.Stdout);
        Assert.Contains("EnaRemediate-RebundleInstance to the replacement: ec2-bundle-vol and ec2-upload-bundle to s3://enaremediate-stack-bundles/", run.Stdout);
        Assert.Contains("EnaSupport=true", run.Stdout);
        Assert.Equal(0, _sim.World.Counters["RegisterImage"] + _sim.World.Counters["RunInstances"] + _sim.World.Counters["SendCommand"] + _sim.World.Counters["CreateTags"]);
    }

    [Theory]
    [InlineData("--then-remediate", "--bundle-bucket", "enaremediate-stack-bundles", "needs --launch-replacement")]
    [InlineData("--then-remediate", "--launch-replacement", "--format", "needs the bucket (--bundle-bucket)")]
    [InlineData("--launch-replacement", "--bundle-bucket", "enaremediate-stack-bundles", "only used with --then-remediate")]
    public async Task AJourneyThatCannotRunIsRefusedBeforeAnyCall(string first, string second, string third, string expected)
    {
        var args = third == "--format" ? new[] { first, second, third, "text" } : [first, second, third];
        var run = await Run(["--instance-id", _sim.World.Instances[0].InstanceId, .. args]);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.Equal(0, _sim.World.Counters.Total);
    }

    [Theory]
    [InlineData("--image-id", "ami-0123456789abcdef0", "--instance-id", "i-0123456789abcdef0")]
    [InlineData("--image-id", "ami-1;reboot", "--format", "text")]
    [InlineData("--image-id", "ami-0123456789abcdef0", "--launch-replacement", "true")]
    [InlineData("--instance-id", "i-$(reboot)", "--format", "text")]
    public async Task BadUsageIsRefusedBeforeAnyCall(string option, string value, string other, string otherValue)
    {
        var run = await Run(option, value, other, otherValue);

        Assert.Equal(64, run.ExitCode);
        Assert.StartsWith("enaremediate", run.Stderr);
        Assert.Equal(0, _sim.World.Counters.Total);
    }
}
