using System.Text.Json;

namespace EnaRemediate.Cli.Tests.Engine;

/// <summary>
/// `simulate` runs on a stepped simulated clock: one seed and one set of arguments give one run,
/// byte for byte (issue 15), whatever the machine's load. The two runs of a pair go at the same
/// time, so each is slowed down by the other differently, and still they must agree.
/// </summary>
public sealed class SimulateReproducibilityTests
{
    [Theory]
    [InlineData("--seed", "1")]
    [InlineData("--scenario", "kernel-update", "--instances", "20", "--format", "json")]
    [InlineData("--scenario", "nitro-fleet", "--instances", "10", "--format", "json")]
    public async Task TheSameSeedPrintsTheSameReportAndTimeline(params string[] arguments)
    {
        var directory = Directory.CreateTempSubdirectory("enaremediate-seed-");
        try
        {
            var pages = new[] { Path.Combine(directory.FullName, "first.html"), Path.Combine(directory.FullName, "second.html") };
            var runs = await Task.WhenAll(pages.Select(page => CliProcess.RunAsync(["simulate", .. arguments, "--report", page])));

            foreach (var run in runs)
            {
                Assert.True(run.ExitCode == 0, run.Stderr);
                Assert.Contains("simulated", run.Stdout, StringComparison.OrdinalIgnoreCase);
                // The wall time is the one thing that differs, so it is said on stderr only.
                Assert.Contains("of wall time", run.Stderr);
            }
            Assert.Equal(runs[0].Stdout, runs[1].Stdout);
            var html = pages.Select(File.ReadAllText).ToList();
            Assert.Contains("data-step=", html[0]);
            Assert.Equal(html[0], html[1]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AnotherSeedGivesAnotherRunOfCallsAndTimes()
    {
        var runs = await Task.WhenAll(new[] { "1", "2" }.Select(seed =>
            CliProcess.RunAsync(["simulate", "--scenario", "kernel-update", "--instances", "20", "--format", "json", "--seed", seed])));

        // Instance ids follow the seed too; what must differ is what the engine did: its calls and their times.
        var profiles = runs.Select(run =>
        {
            Assert.True(run.ExitCode == 0, run.Stderr);
            using var doc = JsonDocument.Parse(run.Stdout);
            return doc.RootElement.GetProperty("instances").EnumerateArray()
                .Select(i => (Calls: i.GetProperty("apiCalls").GetDouble(), Seconds: i.GetProperty("simulatedSeconds").GetDouble()))
                .ToList();
        }).ToList();
        Assert.Equal(20, profiles[0].Count);
        Assert.Equal(20, profiles[1].Count);
        Assert.NotEqual(profiles[0], profiles[1]);
    }

    [Fact]
    public async Task PacingTheRunWithSpeedChangesOnlyHowLongItTakes()
    {
        var runs = await Task.WhenAll(
            CliProcess.RunAsync(["simulate", "--scenario", "kernel-update", "--instances", "5"]),
            CliProcess.RunAsync(["simulate", "--scenario", "kernel-update", "--instances", "5", "--speed", "1000"]));

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.Stderr));
        Assert.Contains("5 recovered", runs[0].Stdout);
        Assert.Equal(runs[0].Stdout, runs[1].Stdout);
    }
}
