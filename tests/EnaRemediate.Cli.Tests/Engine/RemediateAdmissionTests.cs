using EnaRemediate.Simulator;

namespace EnaRemediate.Cli.Tests.Engine;

/// <summary>
/// Issue 11 through the CLI process: a parameter the engine would refuse stops `remediate` before
/// any AWS call (exit 64), and a healthy instance is not touched without --force.
/// </summary>
public sealed class RemediateAdmissionTests : MixedFleetSimulator
{
    [Theory]
    [InlineData("--driver-sha256", "x;$(reboot)", "sha256")]
    [InlineData("--driver-version", "2.16", "X.Y.Z")]
    [InlineData("--driver-source", "http://example.com/ena.tar.gz", "https:// or s3://")]
    public async Task ABadDriverParameterIsRefusedBeforeAnyAwsCall(string option, string value, string expected)
    {
        string[] driver = option == "--driver-sha256" ? [option, value] : ["--driver-sha256", new string('a', 64), option, value];
        var run = await CliProcess.RunAsync(["remediate", "--instance-id", Id("fallback"), "--yes", "--store", StorePath,
            "--endpoint-url", Sim.Endpoint.ToString(), .. driver]);

        Assert.True(run.ExitCode == 64, run.Stdout + run.Stderr);
        Assert.Contains(expected, run.Stderr);
        Assert.Equal(0, Sim.World.Counters.Total);
    }

    [Fact]
    public async Task AHealthyInstanceIsRefusedWithoutForce()
    {
        await using var healthy = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "healthy", Speed = 200 });
        var instance = healthy.World.Instances.First(i => i.Type.Name == "r4.large");
        // Booted instances report their checks after a few simulated minutes.
        for (var wait = 0; wait < 300 && !(instance.InstanceStatusAt(healthy.Clock.GetUtcNow()) == "ok" && instance.PingStatusAt(healthy.Clock.GetUtcNow()) == "Online"); wait++)
        {
            await Task.Delay(100);
        }

        var run = await CliProcess.RunAsync(["remediate", "--instance-id", instance.InstanceId, "--yes", "--store", StorePath,
            "--endpoint-url", healthy.Endpoint.ToString(), "--driver-sha256", new string('a', 64)]);

        Assert.Contains("not-impaired", run.Stdout + run.Stderr);
        Assert.Contains("--force", run.Stdout);
        Assert.Equal(0, healthy.World.Counters["StopInstances"]);
    }
}
