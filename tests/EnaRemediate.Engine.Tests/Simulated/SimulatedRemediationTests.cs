using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Simulated;

/// <summary>Full remediations on the simulator through the real SDK: one instance, a fleet, every scenario, every fault.</summary>
public sealed class SimulatedRemediationTests
{
    [Fact]
    public async Task OneBrokenInstanceIsRecoveredWithEnaOnReachableAndTheNewDriver()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1);
        var id = sim.InstanceIds.Single();
        Assert.False(sim.World.Instance(id).IsReachable(sim.Clock.GetUtcNow()));

        var (_, result) = await sim.RemediateAsync([id]);

        var record = Assert.Single(result.Records);
        Assert.True(record.Outcome == Outcomes.Recovered, $"{record.Outcome}: {record.OutcomeReason}");
        var instance = sim.World.Instance(id);
        var now = sim.Clock.GetUtcNow();
        Assert.True(instance.EnaSupport);
        Assert.Equal("running", instance.State);
        Assert.Equal("ena", instance.BoundNetworkDriver(now));
        Assert.All(instance.Guest!.Kernels, k => Assert.Equal("2.16.1g", k.Ena?.Version));
    }

    [Fact]
    public async Task AFleetRecoversWithBatchedStopsAndStarts()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 40, seed: 3);
        var (_, result) = await sim.RemediateAsync(sim.InstanceIds);

        Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.Recovered, $"{r.InstanceId}: {r.Outcome}: {r.OutcomeReason}"));
        var now = sim.Clock.GetUtcNow();
        Assert.All(sim.World.Instances, i => Assert.Equal("ena", i.BoundNetworkDriver(now)));
        // Two starts per instance; starts that come due together share a call (StartInstances is a
        // 5-token bucket), so well under one call per start, and never throttled. A ready start is not
        // held back to fill a batch: looks follow each instance's own transitions.
        Assert.True(sim.World.Counters["StartInstances"] <= 60, $"{sim.World.Counters["StartInstances"]} StartInstances calls for 80 starts");
        Assert.Equal(0, sim.World.Counters.Throttled);
        Assert.True(sim.World.Counters["DescribeInstances"] < 200, $"{sim.World.Counters["DescribeInstances"]} DescribeInstances calls");
    }

    [Fact]
    public async Task TheMixedFleetGetsTheRightPlanOrRefusalForEachInstance()
    {
        await using var sim = await SimulatedEngine.StartAsync("mixed-fleet");
        var (started, result) = await sim.RemediateAsync(sim.InstanceIds);
        var byGroup = started.Instances.GroupBy(i => GroupOf(sim, i.InstanceId)).ToDictionary(g => g.Key, g => g.First());
        var outcomes = result.Records.ToDictionary(r => r.InstanceId, r => r.Outcome);

        Assert.Equal(Outcomes.Recovered, outcomes[sim.Id("fallback")]);
        Assert.Equal(("type-swap", Outcomes.Recovered), (byGroup["nitro"].Plan, outcomes[sim.Id("nitro")]));
        Assert.Equal(("reregister-ami", Outcomes.AmiRegistered), (byGroup["instance-store"].Plan, outcomes[sim.Id("instance-store")]));
        Assert.Equal("paravirtual-with-ena", byGroup["pv"].RefusalCode);
        Assert.Equal("auto-scaling", byGroup["asg"].RefusalCode);
        Assert.Equal("not-opted-in", byGroup["not-opted-in"].RefusalCode);
    }

    private static string GroupOf(SimulatedEngine sim, string id)
    {
        var name = sim.World.Instance(id).Tags["Name"];
        return name[..name.LastIndexOf('-')];
    }

    public static TheoryData<string> Scenarios => new(ScenarioNames());

    private static IEnumerable<string> ScenarioNames() =>
        typeof(SimulatedWorld).Assembly.GetManifestResourceNames().Where(n => n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n => n.Split('.')[^2]).Distinct();

    /// <summary>
    /// Every scenario, every instance asked for: the invariants hold whatever the plan. Never worse
    /// than found (reachable stays reachable; the found state is kept); ENA ends on only if it was
    /// on and untouched or the driver validated; every record ends with an outcome.
    /// </summary>
    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task EveryScenarioKeepsTheInvariants(string scenario)
    {
        await using var sim = await SimulatedEngine.StartAsync(scenario);
        var before = sim.World.Instances.ToDictionary(i => i.InstanceId, i => (Reachable: i.IsReachable(sim.Clock.GetUtcNow()), i.State, i.EnaSupport));

        var (started, result) = await sim.RemediateAsync(sim.InstanceIds);

        Assert.Equal(sim.InstanceIds.Count, started.Instances.Count);
        InvariantChecks.AssertNeverWorse(sim, before, result);
        await InvariantChecks.AssertActedOnlyOnObservedBrokenAsync(sim.Store, sim.InstanceIds);
        await InvariantChecks.AssertNoOverlappingHostCommandsAsync(sim);
    }

    public static TheoryData<string, string> Faults => new()
    {
        { "stuck-stopping", Outcomes.Recovered },
        { "insufficient-capacity-once", Outcomes.Recovered },
        { "ssm-never-online", Outcomes.RolledBack },
        { "driver-build-fails", Outcomes.RolledBack },
        { "validation-fails-after-ena", Outcomes.RolledBack },
        { "server-errors", Outcomes.Recovered },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task EachInjectedFaultEndsWithTheExpectedOutcome(string fault, string expected)
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1);
        var id = sim.InstanceIds.Single();
        var faults = sim.World.Faults.For(id);
        switch (fault)
        {
            case "stuck-stopping": faults.StuckStopping = true; break;
            case "insufficient-capacity-once": faults.InsufficientCapacityStarts = 1; break;
            case "ssm-never-online": faults.SsmAgentNeverOnline = true; break;
            case "driver-build-fails": faults.DriverBuildFails = true; break;
            case "validation-fails-after-ena": faults.ValidationFailsAfterEnaEnabled = true; break;
            case "server-errors": sim.World.Faults.InjectServerErrors(6, "StopInstances"); break;
        }
        var before = sim.World.Instances.ToDictionary(i => i.InstanceId, i => (Reachable: i.IsReachable(sim.Clock.GetUtcNow()), i.State, i.EnaSupport));

        var (_, result) = await sim.RemediateAsync([id]);

        var record = Assert.Single(result.Records);
        Assert.True(record.Outcome == expected, $"{fault}: {record.Outcome}: {record.OutcomeReason}");
        InvariantChecks.AssertNeverWorse(sim, before, result);
        await InvariantChecks.AssertNoOverlappingHostCommandsAsync(sim);
        var instance = sim.World.Instance(id);
        if (expected == Outcomes.RolledBack)
        {
            Assert.False(instance.EnaSupport);
            Assert.Equal("running", instance.State);
        }
    }

    [Fact]
    public async Task SystemCheckFailureIsRefusedAndNothingIsTouched()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1, arrange: w => w.Faults.For(w.Instances[0].InstanceId).SystemCheckImpaired = true);
        var (started, _) = await sim.RemediateAsync(sim.InstanceIds);

        Assert.Equal("system-check-failed", Assert.Single(started.Instances).RefusalCode);
        Assert.Equal(0, sim.World.Counters["StopInstances"]);
    }

    [Fact]
    public async Task DryRunMakesNoMutatingCall()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 3);
        var before = sim.World.Instances.Select(i => (i.InstanceId, i.State, i.EnaSupport)).ToList();

        var started = await sim.Service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, DryRun: true, "test", null));
        sim.Clock.Advance(TimeSpan.FromMinutes(10));

        Assert.All(started.Instances, i => Assert.Contains(i.PlannedCalls, c => c.AwsAction == "ec2:StopInstances" && c.DryRunCheck!.StartsWith("permitted", StringComparison.Ordinal)));
        Assert.Equal(before, sim.World.Instances.Select(i => (i.InstanceId, i.State, i.EnaSupport)).ToList());
        Assert.Equal(0, sim.World.Counters["SendCommand"]);
        Assert.Empty(started.RemediationIds);
    }

    [Fact]
    public async Task OneInstanceIsNeverRemediatedTwiceAtOnce()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1);
        var id = sim.InstanceIds.Single();
        var other = sim.NewService();

        var first = await sim.Service.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, false, "alarm", null));
        var second = await other.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, false, "sweep", null));

        Assert.Single(first.RemediationIds);
        Assert.Equal("already-remediating", Assert.Single(second.Instances).RefusalCode);
        var result = await sim.RunAsync(first.RemediationIds);
        Assert.Equal(Outcomes.Recovered, Assert.Single(result.Records).Outcome);
    }
}
