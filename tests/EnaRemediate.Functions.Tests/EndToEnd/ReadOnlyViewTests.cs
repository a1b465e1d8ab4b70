using System.Text.Json.Nodes;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>
/// What the deployed read-only views answer: the diagnose function (checks, SSM ping, route or
/// "healthy: nothing to do") and a dry run through intake (what EC2's DryRun said, per call).
/// </summary>
public sealed class ReadOnlyViewTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    [Fact]
    public async Task Diagnose_calls_a_healthy_m5_healthy_and_shows_checks_ping_and_route_for_every_instance()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "mixed-fleet");
        var (healthy, broken, pv) = (deployment.InstanceOfGroup("healthy"), deployment.InstanceOfGroup("fallback"), deployment.InstanceOfGroup("pv"));

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("diagnose"), JsonNode.Parse($$"""{"instanceIds":["{{healthy}}","{{broken}}","{{pv}}"]}""")!);

        var instances = answer["instances"]!.AsArray().ToDictionary(i => i!["instanceId"]!.GetValue<string>(), i => i!);
        var m5 = instances[healthy];
        Assert.Equal(("healthy: nothing to do", true, "none"), (m5["verdict"]!.GetValue<string>(), m5["healthy"]!.GetValue<bool>(), m5["route"]!.GetValue<string>()));
        Assert.Equal(("ok", "ok", "Online"), (m5["systemStatus"]!.GetValue<string>(), m5["instanceStatus"]!.GetValue<string>(), m5["ssmPingStatus"]!.GetValue<string>()));
        Assert.DoesNotContain("offline repair", m5["reason"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Null(m5["refusalCode"]);
        var fallback = instances[broken];
        Assert.Equal(("would run fallback", "fallback", "impaired", "ConnectionLost"),
            (fallback["verdict"]!.GetValue<string>(), fallback["route"]!.GetValue<string>(), fallback["instanceStatus"]!.GetValue<string>(), fallback["ssmPingStatus"]!.GetValue<string>()));
        Assert.Equal(("refused (paravirtual-with-ena)", "refused"), (instances[pv]["verdict"]!.GetValue<string>(), instances[pv]["route"]!.GetValue<string>()));
        Assert.Contains("paravirtual", instances[pv]["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deployed_dry_run_says_the_stopped_only_calls_will_be_checked_once_stopped_and_refuses_none()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("intake"), JsonNode.Parse($$"""{"instanceIds":["{{id}}"],"mode":"remediate","dryRun":true}""")!);

        var calls = answer["instances"]!.AsArray().Single()!["plannedCalls"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        var ena = calls.Where(c => c.Contains("EnaSupport=", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, ena.Count);
        Assert.All(ena, c => Assert.Contains("[will be checked once the instance is stopped", c, StringComparison.Ordinal));
        Assert.All(calls, c => Assert.DoesNotContain("refused", c, StringComparison.OrdinalIgnoreCase));
        var record = (await deployment.Services.Store.GetLatestAsync(id))!;
        Assert.Equal("dry-run", record.Outcome);
        Assert.DoesNotContain(record.History, h => h.Event.Contains("refused", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(("impaired", true), await deployment.InstanceAsync(id));
    }
}
