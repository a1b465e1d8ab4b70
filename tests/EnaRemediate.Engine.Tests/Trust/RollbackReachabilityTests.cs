using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Trust;

/// <summary>
/// Issue 11, found by the chaos long run: rollback means the best reachable state even when the
/// remediation's own stop/start changed what boots, and a stop that EC2 is slow to take (or whose
/// forced stop failed) is forced again rather than left stopping.
/// </summary>
public sealed class RollbackReachabilityTests
{
    [Fact]
    public async Task AHealthyInstanceWhoseRestartBootsAKernelWithoutEnaIsRolledBackToEnaOffAndStaysReachable()
    {
        // Healthy now, a newer kernel without ena installed: the forced remediation's stop/start boots it,
        // the install fails, and ENA on "as found" would leave it dark.
        await using var sim = await SimulatedEngine.StartAsync("pending-kernel-update", arrange: w =>
            w.Faults.For(w.Instances.First(i => i.Tags["Name"].StartsWith("at-risk-no-ena-", StringComparison.Ordinal) && i.Type.Name == "r4.large").InstanceId).DriverBuildFails = true);
        var id = sim.World.Instances.First(i => i.Tags["Name"].StartsWith("at-risk-no-ena-", StringComparison.Ordinal) && i.Type.Name == "r4.large").InstanceId;
        Assert.True(sim.World.Instance(id).IsReachable(sim.Clock.GetUtcNow()));

        var started = await sim.Service.StartAsync(new Core.Engine.RemediationRequest([id], Core.Engine.RemediationMode.Remediate, DryRun: false, "test", null) { Force = true });
        var record = await RunToEndAsync(sim, started.RemediationIds);

        var instance = sim.World.Instance(id);
        Assert.True(record.Outcome == Outcomes.RolledBack, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.True(instance.IsReachable(sim.Clock.GetUtcNow()), "found reachable, it must end reachable");
        Assert.False(instance.EnaSupport);
        Assert.Equal("running", instance.State);
        Assert.Contains("enaSupport left off because with it on the instance failed its status check", record.OutcomeReason);
        Assert.Contains("enaSupport off (found on; off keeps it reachable", record.Memo[MemoKeys.Remains]);
    }

    [Fact]
    public async Task AForcedStopWhoseCallFailsIsSentAgainAtOnceAndTheRemediationGoesOn()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1, arrange: w => w.Faults.For(w.Instances[0].InstanceId).StuckStopping = true);
        var id = sim.InstanceIds.Single();
        var started = await sim.Service.StartAsync(new Core.Engine.RemediationRequest([id], Core.Engine.RemediationMode.Remediate, DryRun: false, "test", null));
        // Up to the moment the forced stop is due, then EC2 answers 503 to the next StopInstances calls (SDK retries included).
        while (sim.World.Instance(id).State != "stopping")
        {
            sim.Clock.Advance(TimeSpan.FromSeconds((await sim.Service.AdvanceAsync(started.RemediationIds)).WaitSeconds));
        }
        sim.Clock.Advance(TimeSpan.FromMinutes(5));
        sim.World.Faults.InjectServerErrors(8, "StopInstances");

        var record = await RunToEndAsync(sim, started.RemediationIds);

        Assert.True(record.Outcome == Outcomes.Recovered, $"{record.Outcome}: {record.OutcomeReason}\n{string.Join("\n", record.History.Select(h => $"{h.At:HH:mm:ss} {h.Step}: {h.Event}"))}");
        Assert.Contains(record.History, h => h.Step == "stop" && h.Event.Contains("StopInstances failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARollbackThatFindsTheInstanceStillStoppingForcesTheStopAndRestoresItAsFound()
    {
        // EC2 fails every stop long enough for the stop step to give up (4 calls, each with the SDK's retries): the rollback then finds the
        // instance stopping (a non-forced stop is stuck) and must force it itself, not wait for hours.
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1, arrange: w => w.Faults.For(w.Instances[0].InstanceId).StuckStopping = true);
        var id = sim.InstanceIds.Single();
        var started = await sim.Service.StartAsync(new Core.Engine.RemediationRequest([id], Core.Engine.RemediationMode.Remediate, DryRun: false, "test", null));
        while (sim.World.Instance(id).State != "stopping")
        {
            sim.Clock.Advance(TimeSpan.FromSeconds((await sim.Service.AdvanceAsync(started.RemediationIds)).WaitSeconds));
        }
        sim.World.Faults.InjectServerErrors(22, "StopInstances");

        var record = await RunToEndAsync(sim, started.RemediationIds);

        var history = string.Join("\n", record.History.Select(h => $"{h.At:HH:mm:ss} {h.Step}: {h.Event}"));
        Assert.True(record.Outcome == Outcomes.RolledBack, $"{record.Outcome}: {record.OutcomeReason}\n{history}");
        Assert.Contains(record.History, h => h.Step == "rollback" && h.Event.Contains("forcing the stop", StringComparison.Ordinal));
        Assert.Equal("running", sim.World.Instance(id).State);
        Assert.True(record.UpdatedAt - record.CreatedAt < TimeSpan.FromHours(1), history);
    }

    private static async Task<Core.Engine.RemediationRecord> RunToEndAsync(SimulatedEngine sim, IReadOnlyList<string> remediationIds)
    {
        var summary = Assert.Single((await sim.RunAsync(remediationIds)).Records);
        return (await sim.Store.GetAsync(summary.RemediationId))!;
    }
}
