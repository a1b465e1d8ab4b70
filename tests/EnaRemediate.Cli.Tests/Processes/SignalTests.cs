namespace EnaRemediate.Cli.Tests.Processes;

/// <summary>
/// The simulator and `simulate` stop cleanly on SIGINT and SIGTERM, also as background jobs of a
/// shell (which start with SIGINT ignored): real processes, real `kill`.
/// </summary>
public sealed class SignalTests
{
    [Theory]
    [InlineData("INT", "SIGINT")]
    [InlineData("TERM", "SIGTERM")]
    public async Task StandaloneSimulatorInTheBackgroundStopsCleanly(string signal, string name)
    {
        await using var simulator = await StandaloneSimulator.StartAsync();

        await simulator.Process.SignalAsync(signal);
        var exit = await simulator.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        Assert.Contains($"stopped ({name})", simulator.Process.Stderr);
        Assert.Contains("\"requests\"", simulator.Process.Stdout);
    }

    [Theory]
    [InlineData("INT", "SIGINT")]
    [InlineData("TERM", "SIGTERM")]
    public async Task SimulateInTheBackgroundStopsCleanlyAndSaysWhereItStood(string signal, string name)
    {
        // Speed 5: the alarms take minutes of real time, so the signal lands while it waits for them or remediates.
        await using var simulate = await RunningProcess.StartAsync("enaremediate.dll", ["simulate", "--speed", "5"]);
        await Task.Delay(TimeSpan.FromSeconds(3));

        await simulate.SignalAsync(signal);
        var exit = await simulate.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(130, exit);
        Assert.Contains($"interrupted", simulate.Stderr);
        Assert.Contains(name, simulate.Stderr);
        Assert.DoesNotContain("Exception", simulate.Stdout + simulate.Stderr);
    }
}
