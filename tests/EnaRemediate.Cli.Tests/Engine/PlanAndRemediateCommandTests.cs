using System.Text.Json;
using EnaRemediate.Simulator;

namespace EnaRemediate.Cli.Tests.Engine;

/// <summary>`plan` and `remediate` as processes against a simulator on loopback (--endpoint-url).</summary>
public sealed class PlanAndRemediateCommandTests : MixedFleetSimulator
{
    private Task<CliProcess.Result> Run(params string[] args) =>
        CliProcess.RunAsync([.. args, "--endpoint-url", Sim.Endpoint.ToString(), "--driver-sha256", new string('a', 64)]);

    [Fact]
    public async Task PlanShowsEachInstancesPlanOrRefusalAsJson()
    {
        var run = await Run("plan", "--instance-id", Id("fallback"), Id("nitro"), "i-0000000000000dead", "--format", "json");

        Assert.True(run.ExitCode == 1, run.Stderr);
        var plans = JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("instanceId").GetString()!);
        Assert.Equal("fallback", plans[Id("fallback")].GetProperty("plan").GetString());
        Assert.Contains(plans[Id("fallback")].GetProperty("calls").EnumerateArray(), c => c.GetString()!.StartsWith("StopInstances", StringComparison.Ordinal));
        var nitro = plans[Id("nitro")];
        Assert.Equal(("type-swap", "type-swap"), (nitro.GetProperty("plan").GetString(), nitro.GetProperty("route").GetString()));
        Assert.Matches(@"^(t2|m4|c4|r4)\.", nitro.GetProperty("standInType").GetString());
        Assert.Contains(nitro.GetProperty("calls").EnumerateArray(), c => c.GetString()!.Contains("InstanceType = the stand-in Xen type", StringComparison.Ordinal));
        Assert.Equal("not-found", plans["i-0000000000000dead"].GetProperty("refusalCode").GetString());
        Assert.Equal(0, Sim.World.Counters["StopInstances"]);
    }

    [Fact]
    public async Task ARouteOverrideIsShownAndAnOfflineRepairWithoutARescueAmiIsRefusedWithTheReason()
    {
        var run = await Run("plan", "--instance-id", Id("nitro"), "--route", "offline-repair");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("refused (plan-not-available), plan would be offline-repair", run.Stdout);
        Assert.Contains("no rescue AMI is configured for x86_64", run.Stdout);

        var rescue = Sim.World.AllImages.First(i => i.Architecture == "x86_64" && i.RootDeviceType == "ebs").ImageId;
        var ok = await Run("plan", "--instance-id", Id("nitro"), "--route", "offline-repair", "--rescue-image", $"x86_64={rescue}");
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Contains(": offline-repair", ok.Stdout);
        Assert.Contains("route chosen by the operator", ok.Stdout);
        Assert.Contains("ec2:RunInstances: launch (or reuse) a rescue instance", ok.Stdout);

        var json = await Run("plan", "--instance-id", Id("nitro"), "--route", "offline-repair", "--rescue-image", $"x86_64={rescue}", "--format", "json");
        var plan = JsonDocument.Parse(json.Stdout).RootElement[0];
        Assert.Equal("offline-repair", plan.GetProperty("route").GetString());
        Assert.Equal((rescue, "c5.large"), (plan.GetProperty("rescue").GetProperty("imageId").GetString(), plan.GetProperty("rescue").GetProperty("instanceType").GetString()));
        Assert.Equal(50, plan.GetProperty("rescue").GetProperty("maxConcurrentRescues").GetInt32());
        var sized = await Run("plan", "--instance-id", Id("nitro"), "--route", "offline-repair", "--rescue-image", $"x86_64={rescue}", "--max-rescues", "8", "--format", "json");
        Assert.Equal(8, JsonDocument.Parse(sized.Stdout).RootElement[0].GetProperty("rescue").GetProperty("maxConcurrentRescues").GetInt32());
        var tooMany = await Run("plan", "--instance-id", Id("nitro"), "--max-rescues", "0");
        Assert.Equal(64, tooMany.ExitCode);
        Assert.Contains("--max-rescues must be from 1 to 500", tooMany.Stderr + tooMany.Stdout);

        var bad = await Run("plan", "--instance-id", Id("nitro"), "--route", "sideways");
        Assert.Equal(64, bad.ExitCode);
    }

    [Fact]
    public async Task HostileInstanceIdIsRefusedWithoutAnyCall()
    {
        var run = await Run("plan", "--instance-id", "i-1;rm -rf /");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is not an EC2 instance id", run.Stdout);
        Assert.Equal(0, Sim.World.Counters.Total);
    }

    [Fact]
    public async Task RemediateDryRunListsDryRunCheckedCallsAndChangesNothing()
    {
        var id = Id("fallback");
        var before = (Sim.World.Instance(id).State, Sim.World.Instance(id).EnaSupport);

        var run = await Run("remediate", "--instance-id", id, "--dry-run", "--store", StorePath);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("StopInstances", run.Stdout);
        Assert.Contains("permitted by EC2 DryRun (DryRunOperation)", run.Stdout);
        Assert.Contains("no dry run: SSM has no DryRun", run.Stdout);
        Assert.Equal(before, (Sim.World.Instance(id).State, Sim.World.Instance(id).EnaSupport));
        Assert.Equal(0, Sim.World.Counters["SendCommand"]);
    }

    [Fact]
    public async Task RemediateDryRunWritesATimelineRowPerInstance()
    {
        Directory.CreateDirectory(StateDir);
        var page = Path.Combine(StateDir, "dry-run.html");

        var run = await Run("remediate", "--instance-id", Id("fallback"), Id("nitro"), "--dry-run", "--store", StorePath, "--report", page);

        // The Nitro instance is planned by type-swap now, so both are dry runs.
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("0 fixed, 0 healthy, 0 refused, 0 failed, 2 dry run", run.Stdout);
        var html = await File.ReadAllTextAsync(page);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "<details class=\"row\"").Count);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "badge dry-run").Count);
    }

    [Fact]
    public async Task RemediateWithoutYesRefusesWhenNoOneCanBeAsked()
    {
        var run = await Run("remediate", "--instance-id", Id("fallback"), "--store", StorePath);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("--yes", run.Stderr);
        Assert.Equal(0, Sim.World.Counters["StopInstances"]);
    }

    [Fact]
    public async Task AnAutoScalingMemberIsRefusedWithoutAsgStandbyAndRecoveredThroughStandbyWithIt()
    {
        var id = Id("asg");

        var refused = await Run("remediate", "--instance-id", id, "--yes", "--store", StorePath);

        Assert.Contains("--asg-standby", refused.Stdout);
        Assert.Equal((0L, 0L), (Sim.World.Counters["EnterStandby"], Sim.World.Counters["StopInstances"]));

        // The engine's clock runs as fast as the simulator's (Speed 50): its waits follow EC2's latencies, a minute for an install.
        var run = await Run("remediate", "--instance-id", id, "--asg-standby", "--yes", "--format", "json", "--store", StorePath, "--time-scale", "50");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal((1L, 1L), (Sim.World.Counters["EnterStandby", id], Sim.World.Counters["ExitStandby", id]));
        Assert.Equal("InService", Sim.AutoScaling.LifecycleState(id));
        Assert.Equal((true, "running"), (Sim.World.Instance(id).EnaSupport, Sim.World.Instance(id).State));
    }

    [Fact]
    public async Task MissingInstanceIdIsAUsageError()
    {
        var run = await CliProcess.RunAsync(["plan"]);
        Assert.Equal(64, run.ExitCode);
    }
}
