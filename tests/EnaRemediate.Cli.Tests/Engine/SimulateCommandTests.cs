using System.Text.Json;

namespace EnaRemediate.Cli.Tests.Engine;

/// <summary>`enaremediate simulate` as a process: the issue's "done when" run and the default demo.</summary>
public sealed class SimulateCommandTests
{
    [Fact]
    public async Task KernelUpdateFleetOf50IsReportedRecoveredWithEnaOnReachableAndTheNewDriver()
    {
        var run = await CliProcess.RunAsync(["simulate", "--scenario", "kernel-update", "--instances", "50", "--format", "json"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;
        Assert.Equal("kernel-update", root.GetProperty("scenario").GetString());
        Assert.Equal(1, root.GetProperty("seed").GetInt32());
        var instances = root.GetProperty("instances").EnumerateArray().ToList();
        Assert.Equal(50, instances.Count);
        foreach (var instance in instances)
        {
            Assert.Equal("recovered", instance.GetProperty("outcome").GetString());
            Assert.Equal("fallback", instance.GetProperty("plan").GetString());
            var final = instance.GetProperty("final");
            Assert.Equal("running", final.GetProperty("state").GetString());
            Assert.True(final.GetProperty("enaSupport").GetBoolean());
            Assert.True(final.GetProperty("reachable").GetBoolean());
            Assert.Equal("2.16.1g", final.GetProperty("enaModuleVersion").GetString());
            Assert.Contains("install-driver", instance.GetProperty("steps").EnumerateArray().Select(s => s.GetString()));
            Assert.True(instance.GetProperty("apiCalls").GetDouble() > 0);
            Assert.True(instance.GetProperty("simulatedSeconds").GetDouble() > 0);
        }
        var totals = root.GetProperty("totals");
        foreach (var name in new[] { "apiCalls", "throttled", "simulatedSeconds" })
        {
            Assert.Equal(JsonValueKind.Number, totals.GetProperty(name).ValueKind);
        }
        // The wall time differs from run to run, so it is not part of the report.
        Assert.False(totals.TryGetProperty("wallSeconds", out _));
    }

    [Fact]
    public async Task WithNoArgumentsTheMixedFleetRecoversAndEveryOtherInstanceIsExplained()
    {
        var run = await CliProcess.RunAsync(["simulate"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("mixed-fleet (seed 1): 3 recovered", run.Stdout);
        // The Nitro instance is recovered too, through a temporary Xen type.
        Assert.Matches(@"m5\.large\s+type-swap\s+recovered\s+running, ENA on, reachable", run.Stdout);
        Assert.Contains("Auto Scaling group", run.Stdout);
        Assert.Contains("not opted in", run.Stdout);
        // The instance-store instance is never stopped: it gets an ENA-disabled AMI and the next step.
        Assert.Contains("1 ami-registered", run.Stdout);
        Assert.Contains("ephemeral", run.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AHealthyFleetIsHealthyNothingToDoNotRefused()
    {
        var run = await CliProcess.RunAsync(["simulate", "--scenario", "healthy"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("healthy: nothing to do", run.Stdout);
        Assert.DoesNotContain("refused", run.Stdout);
    }

    [Fact]
    public async Task TheNitroFleetOf40IsRecoveredByItsRoutesExceptTheMarketplaceOnesWhichAreRefusedWithTheReason()
    {
        var run = await CliProcess.RunAsync(["simulate", "--scenario", "nitro-fleet", "--instances", "40", "--format", "json"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        var instances = doc.RootElement.GetProperty("instances").EnumerateArray().ToList();
        Assert.Equal(40, instances.Count);
        var routes = instances.GroupBy(i => i.GetProperty("plan").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.True(routes["type-swap"].Count >= 10 && routes["offline-repair"].Count >= 10, string.Join(", ", routes.Select(r => $"{r.Key} {r.Value.Count}")));
        foreach (var instance in instances)
        {
            var final = instance.GetProperty("final");
            Assert.Equal(instance.GetProperty("plan").GetString(), instance.GetProperty("route").GetString());
            if (instance.GetProperty("outcome").GetString() == "refused")
            {
                Assert.Equal("m7g.large", instance.GetProperty("instanceType").GetString());
                Assert.Contains("AWS Marketplace product code", instance.GetProperty("refusalReason").GetString());
                continue;
            }
            Assert.Equal("recovered", instance.GetProperty("outcome").GetString());
            Assert.True(final.GetProperty("enaSupport").GetBoolean());
            Assert.True(final.GetProperty("reachable").GetBoolean());
            Assert.Equal("2.16.1g", final.GetProperty("enaModuleVersion").GetString());
        }
        Assert.Equal(2, instances.Count(i => i.GetProperty("outcome").GetString() == "refused"));
    }

    [Theory]
    [InlineData("--scenario", "no-such-scenario")]
    [InlineData("--instances", "0")]
    [InlineData("--speed", "5000")]
    public async Task BadArgumentsAreAUsageError(string option, string value)
    {
        var run = await CliProcess.RunAsync(["simulate", option, value]);
        Assert.Equal(64, run.ExitCode);
        Assert.Contains("enaremediate:", run.Stderr);
    }
}
