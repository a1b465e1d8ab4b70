using System.Text.Json;
using EnaRemediate.Cli.Tests.Engine;

namespace EnaRemediate.Cli.Tests.Processes;

/// <summary>`remediate`, `status`, `history` and `abort` as processes on one store and the standalone simulator: one consistent story.</summary>
public sealed class RecordViewTests : SimulatorAndStore
{
    private Task<CliProcess.Result> Cli(params string[] args) => CliProcess.RunAsync([.. args, "--store", Store]);

    [Fact]
    public async Task RemediateThenStatusThenHistoryTellOneStory()
    {
        await using (var remediate = await StartRemediate())
        {
            Assert.True(await remediate.WaitForExitAsync(RunTimeout) == 0, remediate.Stdout + remediate.Stderr);
            Assert.Contains("1 fixed, 0 healthy, 0 refused, 0 failed", remediate.Stdout);
        }

        var status = await Cli("status", "--format", "json");
        Assert.True(status.ExitCode == 0, status.Stderr);
        var row = Assert.Single(JsonDocument.Parse(status.Stdout).RootElement.GetProperty("instances").EnumerateArray());
        Assert.Equal(Instance, row.GetProperty("instanceId").GetString());
        Assert.Equal("recovered", row.GetProperty("outcome").GetString());
        var remediationId = row.GetProperty("remediationId").GetString()!;
        var text = await Cli("status", "--instance-id", Instance);
        Assert.Contains($"{Instance} fallback", text.Stdout);
        Assert.Contains("1 fixed, 0 healthy, 0 refused, 0 failed", text.Stdout);

        var page = Path.Combine(Path.GetDirectoryName(Store)!, "status.html");
        var report = await Cli("status", "--report", page);
        Assert.Equal(0, report.ExitCode);
        var html = await File.ReadAllTextAsync(page);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<details class=\"row\""));
        Assert.Contains($"data-instance=\"{Instance}\"", html);
        Assert.Contains("data-step=\"install-driver\"", html);

        var history = await Cli("history", Instance);
        Assert.True(history.ExitCode == 0, history.Stderr);
        Assert.Contains($"{remediationId}: {Instance} fallback, recovered (trigger cli", history.Stdout);
        foreach (var step in new[] { "stop", "ena-off", "install-driver", "validate-final" })
        {
            Assert.Contains($" {step} ", history.Stdout);
        }
        var byId = await Cli("history", remediationId, "--format", "json");
        Assert.Equal(remediationId, Assert.Single(JsonDocument.Parse(byId.Stdout).RootElement.EnumerateArray()).GetProperty("remediationId").GetString());

        var unknown = await Cli("history", "i-0000000000000dead");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("has no remediation record", unknown.Stderr);
    }

    [Fact]
    public async Task AbortOnARunningRemediationMakesItsLiveDriverRollItBack()
    {
        await using var remediate = await StartRemediate();
        await remediate.WaitForOutputAsync(o => o.Contains("install-driver", StringComparison.Ordinal), RunTimeout);

        var abort = await Cli("abort", Instance, "--endpoint-url", Sim.Endpoint, "--time-scale", Scale);
        Assert.True(abort.ExitCode == 0, abort.Stdout + abort.Stderr);
        Assert.Contains("rolling back", abort.Stdout);
        Assert.Contains("its driver rolls it back", abort.Stdout);

        Assert.Equal(2, await remediate.WaitForExitAsync(RunTimeout));
        Assert.Contains("0 fixed, 0 healthy, 0 refused, 1 failed", remediate.Stdout);
        var status = await Cli("status", "--format", "json");
        Assert.Equal(2, status.ExitCode);
        var row = Assert.Single(JsonDocument.Parse(status.Stdout).RootElement.GetProperty("instances").EnumerateArray());
        Assert.Equal("rolled-back", row.GetProperty("outcome").GetString());
        Assert.Contains("aborted by", row.GetProperty("outcomeReason").GetString());
    }

    [Fact]
    public async Task AbortOfARecordNobodyDrivesRollsItBackItself()
    {
        await using (var killed = await StartRemediate())
        {
            await killed.WaitForOutputAsync(o => o.Contains("install-driver", StringComparison.Ordinal), RunTimeout);
            await killed.SignalAsync("KILL");
            await killed.WaitForExitAsync(RunTimeout);
        }
        var before = await Cli("status", "--instance-id", Instance);
        Assert.Contains("nobody drives it now", before.Stdout);
        Assert.Contains("changed and not undone", before.Stdout);

        var abort = await Cli("abort", Instance, "--endpoint-url", Sim.Endpoint, "--time-scale", Scale);

        Assert.True(abort.ExitCode == 0, abort.Stdout + abort.Stderr);
        Assert.Contains($"{Instance}: rolled-back:", abort.Stdout);
        var again = await Cli("abort", Instance, "--endpoint-url", Sim.Endpoint);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("nothing to abort", again.Stdout);
    }
}
