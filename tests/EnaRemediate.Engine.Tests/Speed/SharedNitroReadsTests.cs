using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.OfflineRepair;
using EnaRemediate.Engine.Tests.Nitro;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: a fleet of offline repairs reads what it waits on together. The repair commands on
/// the rescues are followed on the shared listing of their document (not one GetCommandInvocation
/// per repair and poll); the inspection of the roots, the looks of the root volumes on the move and
/// of the snapshots completing are one DescribeVolumes and one DescribeSnapshots a look for all of them.
/// </summary>
public sealed class SharedNitroReadsTests
{
    [Fact]
    public async Task RepairCommandsOnTheRescuesAreFollowedOnTheSharedListing()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet", instances: 30);
        var service = NitroEngine.Service(sim);
        var started = await service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null));
        var result = await sim.RunAsync(started.RemediationIds, service);

        Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.Recovered, $"{r.InstanceId} {r.Plan}: {r.Outcome}: {r.OutcomeReason}"));
        var repaired = result.Records.Where(r => r.Plan == "offline-repair").ToList();
        Assert.True(repaired.Count >= 10, $"only {repaired.Count} offline repairs: the fleet no longer exercises the shared listing");
        // Every output is read from the listing: the repair's result and the last host report
        // (asked for with only ENA's device-wide counters). Followed each with its own
        // GetCommandInvocation, 30 instances cost 146.
        Assert.Equal(0L, sim.World.Counters["GetCommandInvocation"]);
        Assert.All(repaired, r => Assert.Equal("true", sim.Store.GetAsync(r.RemediationId).GetAwaiter().GetResult()!.Memo[OfflineMemo.RepairPassed]));
        // What an operator reads of the rescue waits: "running, SSM agent not registered", never the memo's "running|not registered".
        var rescueWaits = repaired.SelectMany(r => sim.Store.GetAsync(r.RemediationId).GetAwaiter().GetResult()!.History)
            .Where(h => h.Step is "await-rescue" or "await-rescue-running").Select(h => h.Event).ToList();
        Assert.Contains(rescueWaits, e => e.StartsWith("waiting for the rescue instance i-", StringComparison.Ordinal) && e.Contains(", SSM agent not registered)", StringComparison.Ordinal));
        Assert.DoesNotContain(rescueWaits, e => e.Contains('|'));
    }

    [Fact]
    public async Task EachLookReadsTheFleetsVolumesInMotionAndItsSnapshotsOnceEach()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet", instances: 30);
        var service = NitroEngine.Service(sim);
        var started = await service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null));
        long Count(string action) => sim.World.Counters.Snapshot().GetValueOrDefault(action);

        AdvanceResult? result = null;
        var looks = 0;
        var batchedLooks = 0;
        while (result is not { Done: true } && looks++ < 3000)
        {
            var (volumes, snapshots, moves) = (Count("DescribeVolumes"), Count("DescribeSnapshots"), Count("AttachVolume") + Count("DetachVolume"));
            result = await service.AdvanceAsync(started.RemediationIds);
            // The first look inspects every root, the later ones look at the volumes on the move.
            Assert.True(Count("DescribeVolumes") - volumes <= 1, $"look {looks}: {Count("DescribeVolumes") - volumes} DescribeVolumes");
            Assert.True(Count("DescribeSnapshots") - snapshots <= 1, $"look {looks}: {Count("DescribeSnapshots") - snapshots} DescribeSnapshots");
            batchedLooks += Count("AttachVolume") + Count("DetachVolume") - moves > 1 ? 1 : 0;
            sim.Clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }

        Assert.True(result is { Done: true }, "the fleet did not finish");
        Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.Recovered, $"{r.InstanceId} {r.Plan}: {r.Outcome}: {r.OutcomeReason}"));
        // Several moves were made in one look on the one read: the fleet was really moving together.
        Assert.True(batchedLooks > 0, "no look moved more than one volume");
        Assert.DoesNotContain(sim.World.AllVolumes, v => v.Attachment is null or { DetachedAt: not null } && !v.Tags.ContainsKey("EnaRemediate:OriginalRootOf"));
    }
}
