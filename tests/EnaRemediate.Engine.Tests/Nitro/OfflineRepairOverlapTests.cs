using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Simulated;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Nitro;

/// <summary>
/// Offline repair's waits that only take time run beside its work, on the simulator through the
/// real SDK: the rescue boots while the instance stops, the root's snapshot uploads while the
/// root moves, the rescue goes as soon as the root is off it; and what must come first still does:
/// the rescue's launch accepted before the stop, the rescue running before the root is attached to
/// it, the snapshot complete and the agent Online before the repair writes.
/// </summary>
public sealed class OfflineRepairOverlapTests
{
    private const string RepairDocument = "EnaRemediate-OfflineRepair";

    [Fact]
    public async Task The_rescue_boot_and_the_snapshot_upload_overlap_the_stop_and_the_moves_but_never_the_repair()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var id = sim.Id("graviton");
        // The snapshot is kept so that its times can be read after the success.
        var service = NitroEngine.Service(sim, keepSnapshot: true);
        var started = await service.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, false, "test", null));
        var result = await sim.RunAsync(started.RemediationIds, service);

        var summary = Assert.Single(result.Records);
        Assert.True(summary.Outcome == Outcomes.Recovered, $"{summary.Outcome}: {summary.OutcomeReason}");
        var record = (await sim.Store.GetAsync(summary.RemediationId))!;
        var instance = sim.World.Instance(id);
        var rescue = Assert.Single(sim.World.Instances, i => i.Tags.GetValueOrDefault("EnaRemediate:LaunchedBy") == NitroOptions.CliStackName);
        var launch = rescue.Timeline.First(e => e.Phase == TimelineEntry.Start);
        var stop = instance.Timeline.First(e => e.Phase == TimelineEntry.Stop);
        var detach = instance.Timeline.First(e => e.Phase == TimelineEntry.Detach);
        var repair = rescue.Timeline.Single(e => e.Phase == TimelineEntry.Command(RepairDocument));
        var snapshot = Assert.Single(sim.World.AllSnapshots, s => s.Tags.GetValueOrDefault("EnaRemediate:RemediationId") == record.RemediationId);

        // Beside: the stop was asked for before the rescue was seen running, the root left the instance before its snapshot completed.
        var running = record.History.First(h => h.Step == "await-rescue-running").At;
        Assert.True(stop.At < running, $"stopped at {stop.At:T}, the rescue seen running at {running:T}: the stop waited for the rescue's boot");
        Assert.True(detach.At < snapshot.CompletesAt, $"detached at {detach.At:T}, the snapshot completed at {snapshot.CompletesAt:T}: the move waited for the upload");
        // Still first: the launch before the stop, the rescue running before the attach, the snapshot taken of the stopped root, complete before the repair, the agent Online before it.
        var attach = instance.Timeline.First(e => e.Phase == TimelineEntry.Attach && e.Subject == rescue.InstanceId);
        Assert.True(launch.At <= stop.At, $"the rescue launched at {launch.At:T}, the stop at {stop.At:T}");
        Assert.True(running <= attach.At, $"the rescue seen running at {running:T}, the root attached to it at {attach.At:T}");
        Assert.True(snapshot.StartTime >= stop.ReadyAt, $"snapshot taken at {snapshot.StartTime:T}, the instance stopped at {stop.ReadyAt:T}");
        Assert.True(repair.At >= snapshot.CompletesAt, $"the repair ran at {repair.At:T}, before the snapshot completed at {snapshot.CompletesAt:T}");
        Assert.True(repair.At >= launch.ReadyAt, $"the repair ran at {repair.At:T}, before the rescue was Online at {launch.ReadyAt:T}");
        // The rescue is freed before the repaired instance's checks pass, not after.
        var freed = record.History.Last(h => h.Step == "free-rescue").At;
        var checks = instance.Timeline.Last(e => e.Phase == TimelineEntry.Start).ChecksAt;
        Assert.True(freed < checks, $"rescue freed at {freed:T}, the instance's checks ok at {checks:T}");
        Assert.Equal("terminated", rescue.State);
    }

    [Fact]
    public async Task A_rescue_launch_refused_for_the_vcpu_quota_waits_unharmed_and_then_repairs()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var id = sim.Id("graviton");
        sim.World.Faults.RefuseLaunches(2);
        var service = NitroEngine.Service(sim);
        var started = await service.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, false, "test", null));
        var result = await sim.RunAsync(started.RemediationIds, service);

        var summary = Assert.Single(result.Records);
        Assert.True(summary.Outcome == Outcomes.Recovered, $"{summary.Outcome}: {summary.OutcomeReason}");
        var record = (await sim.Store.GetAsync(summary.RemediationId))!;
        var waited = record.History.Where(h => h.Step == "acquire-rescue" && h.Event.Contains("VcpuLimitExceeded", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(waited);
        // Nothing was changed while it waited: the instance was stopped only after a rescue launched.
        var stop = sim.World.Instance(id).Timeline.First(e => e.Phase == TimelineEntry.Stop);
        Assert.True(stop.At > waited[^1].At, $"stopped at {stop.At:T}, still refused at {waited[^1].At:T}");
    }

    [Fact]
    public async Task A_launch_refused_until_the_wait_ends_gives_up_with_the_reason_and_the_instance_untouched()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var id = sim.Id("graviton");
        sim.World.Faults.RefuseLaunches(int.MaxValue);
        var stateBefore = sim.World.Instance(id).State;
        var service = NitroEngine.Service(sim);
        var started = await service.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, false, "test", null));
        var result = await sim.RunAsync(started.RemediationIds, service);

        var record = Assert.Single(result.Records);
        Assert.True(record.Outcome == Outcomes.RolledBack, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.Contains("no rescue instance became free within 60 minutes", record.OutcomeReason);
        Assert.Contains("VcpuLimitExceeded", record.OutcomeReason);
        Assert.Equal(stateBefore, sim.World.Instance(id).State);
        Assert.DoesNotContain(sim.World.Instance(id).Timeline, e => e.Phase == TimelineEntry.Stop);
    }
}
