using System.Text.Json;
using System.Text.RegularExpressions;

namespace EnaRemediate.Cli.Tests.Engine;

/// <summary>
/// The read-only views as an operator sees them, as processes against the simulator: the dry run
/// says per call what EC2 answered, and `plan` shows the checks, the SSM ping, and "healthy:
/// nothing to do" or the route.
/// </summary>
public sealed class HonestViewCommandTests : MixedFleetSimulator
{
    private Task<CliProcess.Result> Run(params string[] args) =>
        CliProcess.RunAsync([.. args, "--endpoint-url", Sim.Endpoint.ToString()]);

    private static IReadOnlyList<string> CallLines(string stdout) =>
        stdout.Split('\n').Where(l => Regex.IsMatch(l, @"^\s+\d+\. ")).ToList();

    [Fact]
    public async Task ADryRunOfRunningInstancesSaysTheStoppedOnlyCallsWillBeCheckedOnceStopped()
    {
        var (fallback, nitro) = (Id("fallback"), Id("nitro"));

        var run = await Run("remediate", "--instance-id", fallback, nitro, "--dry-run", "--store", StorePath);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var lines = CallLines(run.Stdout);
        var stoppedOnly = lines.Where(l => l.Contains("EnaSupport=", StringComparison.Ordinal) || l.Contains("InstanceType =", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, stoppedOnly.Count);
        Assert.All(stoppedOnly, l => Assert.Contains("will be checked once the instance is stopped", l, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.DoesNotContain("refused", l, StringComparison.OrdinalIgnoreCase));
        Assert.All(lines.Where(l => l.Contains("SendCommand", StringComparison.Ordinal)), l => Assert.EndsWith("[no dry run: SSM has no DryRun]", l.TrimEnd(), StringComparison.Ordinal));
        Assert.Equal(("running", "running"), (Sim.World.Instance(fallback).State, Sim.World.Instance(nitro).State));

        var json = await Run("remediate", "--instance-id", fallback, "--dry-run", "--store", StorePath, "--format", "json");
        var calls = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("started")[0].GetProperty("plannedCalls").EnumerateArray().ToList();
        Assert.Equal(["permitted", "checked-once-stopped", "permitted", "no-dry-run", "no-dry-run", "permitted", "checked-once-stopped", "permitted", "no-dry-run"],
            calls.Select(c => c.GetProperty("dryRunVerdict").GetString()));
    }

    [Fact]
    public async Task ADryRunWithADeniedPermissionSaysRefusedWithEc2sMessageOnce()
    {
        Sim.World.Permissions.Deny("StopInstances");

        var run = await Run("remediate", "--instance-id", Id("fallback"), "--dry-run", "--store", StorePath);

        var stops = CallLines(run.Stdout).Where(l => l.Contains("StopInstances", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, stops.Count);
        Assert.All(stops, l => Assert.EndsWith("[refused by EC2 DryRun: UnauthorizedOperation: You are not authorized to perform this operation.]", l.TrimEnd(), StringComparison.Ordinal));
        Assert.All(stops, l => Assert.Single(Regex.Matches(l, "UnauthorizedOperation")));
        Assert.All(stops, l => Assert.Single(Regex.Matches(l, "not authorized")));
    }

    [Fact]
    public async Task PlanShowsChecksAndPingAndCallsAHealthyM5HealthyNotInNeedOfRepair()
    {
        var (healthy, broken) = (Id("healthy"), Id("fallback"));

        var run = await Run("plan", "--instance-id", healthy, broken);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var text = run.Stdout.Split('\n');
        var at = Array.FindIndex(text, l => l.StartsWith(healthy, StringComparison.Ordinal));
        Assert.Equal($"{healthy}: healthy: nothing to do", text[at]);
        Assert.Equal("  system check ok, instance check ok, SSM ping Online", text[at + 1]);
        var healthyBlock = string.Join('\n', text.Skip(at).TakeWhile((l, i) => i == 0 || l.StartsWith(' ')));
        Assert.DoesNotContain("offline repair", healthyBlock, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("refused", healthyBlock, StringComparison.Ordinal);
        var brokenAt = Array.FindIndex(text, l => l.StartsWith(broken, StringComparison.Ordinal));
        Assert.Equal(($"{broken}: fallback", "  system check ok, instance check impaired, SSM ping ConnectionLost"), (text[brokenAt], text[brokenAt + 1]));

        var json = await Run("plan", "--instance-id", healthy, broken, Id("pv"), "--format", "json");
        var plans = JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("instanceId").GetString()!);
        Assert.Equal((true, "none", "healthy: nothing to do"), (plans[healthy].GetProperty("healthy").GetBoolean(), plans[healthy].GetProperty("route").GetString(), plans[healthy].GetProperty("verdict").GetString()));
        Assert.Equal(("ok", "ok", "Online"), (plans[healthy].GetProperty("systemStatus").GetString(), plans[healthy].GetProperty("instanceStatus").GetString(), plans[healthy].GetProperty("ssmPingStatus").GetString()));
        Assert.Equal(("fallback", "would run fallback", "impaired"), (plans[broken].GetProperty("route").GetString(), plans[broken].GetProperty("verdict").GetString(), plans[broken].GetProperty("instanceStatus").GetString()));
        Assert.Equal(("refused", "refused (paravirtual-with-ena)"), (plans[Id("pv")].GetProperty("route").GetString(), plans[Id("pv")].GetProperty("verdict").GetString()));
        Assert.Equal(1, json.ExitCode);
    }
}
