using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.OfflineRepair;
using EnaRemediate.Core.Plans.TypeSwap;
using EnaRemediate.Engine.Tests.Simulated;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Nitro;

/// <summary>type-swap and offline-repair end to end on the simulator through the real SDK, with the invariants after every end.</summary>
public sealed class NitroRecoveryTests
{
    private sealed record Before(string Type, string RootVolume, string State);

    private static Dictionary<string, Before> Snapshot(SimulatedEngine sim, IEnumerable<string> ids) => ids.ToDictionary(id => id, id =>
    {
        var instance = sim.World.Instance(id);
        var root = sim.World.AllVolumes.Single(v => v.Attachment is { DetachedAt: null } a && a.InstanceId == id && a.Device == instance.RootDeviceName);
        return new Before(instance.Type.Name, root.VolumeId, instance.State);
    });

    private static async Task<AdvanceResult> RunAsync(SimulatedEngine sim, RemediationService service, IReadOnlyList<string> ids, string? route = null)
    {
        var request = new RemediationRequest(ids, RemediationMode.Remediate, DryRun: false, "test", null)
        {
            PlanOptions = route is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [RemediationService.RouteOption] = route },
        };
        var started = await service.StartAsync(request);
        return await sim.RunAsync(started.RemediationIds, service);
    }

    /// <summary>Whatever the end: the original type, the original root (or one restored from the snapshot with the original kept), no rescue left, the snapshot kept unless recovered.</summary>
    private static void AssertInvariants(SimulatedEngine sim, IReadOnlyDictionary<string, Before> before, AdvanceResult result)
    {
        var now = sim.Clock.GetUtcNow();
        Assert.All(result.Records, r => Assert.NotNull(r.Outcome));
        foreach (var record in result.Records)
        {
            var found = before[record.InstanceId];
            var instance = sim.World.Instance(record.InstanceId);
            var label = $"{record.InstanceId} {record.Outcome}: {record.OutcomeReason}";
            Assert.True(found.Type == instance.Type.Name, $"{label}: type {instance.Type.Name}, found {found.Type}");
            Assert.True(found.State == instance.State, $"{label}: state {instance.State}, found {found.State}");
            Assert.True(instance.EnaSupport, $"{label}: ENA off on a type that requires it");
            var root = sim.World.AllVolumes.SingleOrDefault(v => v.Attachment is { DetachedAt: null } a && a.InstanceId == record.InstanceId && a.Device == instance.RootDeviceName);
            Assert.True(root is not null, $"{label}: no root volume attached");
            Assert.True(root!.Attachment!.DeleteOnTermination, $"{label}: the root lost DeleteOnTermination");
            if (root!.VolumeId != found.RootVolume)
            {
                Assert.Equal(Outcomes.RolledBack, record.Outcome);
                Assert.Contains(sim.World.AllVolumes, v => v.VolumeId == found.RootVolume && v.Tags.ContainsKey("EnaRemediate:OriginalRootOf"));
            }
            var snapshots = sim.World.AllSnapshots.Count(s => s.Tags.GetValueOrDefault("EnaRemediate:RemediationId") == record.RemediationId);
            if (record.Outcome == Outcomes.Recovered)
            {
                Assert.True(instance.BoundNetworkDriver(now) == "ena", $"{label}: recovered but ena not bound");
                // Deleted after the success, unless its deletion failed and the outcome says it is kept.
                Assert.True(snapshots == 0 || record.OutcomeReason!.Contains("kept", StringComparison.Ordinal), $"{label}: {snapshots} snapshot(s) left");
            }
            else if (sim.Store.GetAsync(record.RemediationId).GetAwaiter().GetResult()!.Memo.ContainsKey(OfflineMemo.SnapshotId))
            {
                Assert.True(snapshots == 1, $"{label}: the snapshot was not kept");
            }
        }
        Assert.DoesNotContain(sim.World.Instances, i => i.Tags.GetValueOrDefault("EnaRemediate:LaunchedBy") == NitroOptions.CliStackName && i.State is "pending" or "running" or "stopping" or "stopped");
        Assert.DoesNotContain(sim.World.AllVolumes, v => v.Attachment is null or { DetachedAt: not null } && !v.Tags.ContainsKey("EnaRemediate:OriginalRootOf"));
    }

    [Fact]
    public async Task TheNitroFleetRecoversEachByItsRouteAndTheMarketplaceOneIsRefused()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var service = NitroEngine.Service(sim);
        var before = Snapshot(sim, sim.InstanceIds);
        var started = await service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null));
        var result = await sim.RunAsync(started.RemediationIds, service);

        var plan = started.Instances.ToDictionary(i => i.InstanceId);
        string Group(string id) => sim.World.Instance(id).Tags["Name"][..sim.World.Instance(id).Tags["Name"].LastIndexOf('-')];
        foreach (var instance in started.Instances)
        {
            var group = Group(instance.InstanceId);
            if (group == "marketplace")
            {
                Assert.Equal(("marketplace-volume", "offline-repair"), (instance.RefusalCode, instance.Plan));
                continue;
            }
            Assert.Equal(group == "swap" ? "type-swap" : "offline-repair", instance.Plan);
        }
        Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.Recovered, $"{r.InstanceId} {r.Plan}: {r.Outcome}: {r.OutcomeReason}"));
        AssertInvariants(sim, before, result);
        // One rescue per zone and architecture served every repair there (1a x86 and arm64, 1f x86).
        Assert.Equal(3, sim.World.Instances.Count(i => i.Tags.GetValueOrDefault("EnaRemediate:LaunchedBy") == NitroOptions.CliStackName));
        Assert.All(plan.Values.Where(p => p.Plan == "type-swap"), p => Assert.Contains("is the nearest Xen type offered in us-east-1a", p.Reason));
    }

    public static TheoryData<string, int, bool> FaultPoints()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (var lost in new[] { false, true })
        {
            foreach (var n in Enumerable.Range(1, 11))
            {
                data.Add("swap", n, lost);
            }
            foreach (var n in Enumerable.Range(1, 15))
            {
                data.Add("graviton", n, lost);
            }
        }
        return data;
    }

    /// <summary>The call numbered <paramref name="failAt"/> fails (or, <paramref name="answerLost"/>, is made and its answer lost), and its repeats until the step gives up.</summary>
    [Theory]
    [MemberData(nameof(FaultPoints))]
    public async Task A_fault_at_any_mutating_call_ends_in_a_safe_recorded_state(string group, int failAt, bool answerLost)
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var faults = new FaultSchedule(failAt, SimulatedEngine.Options.MaxAttempts, answerLost);
        var service = NitroEngine.Service(sim, faults);
        var id = sim.Id(group);
        var before = Snapshot(sim, [id]);

        var result = await RunAsync(sim, service, [id]);

        var record = Assert.Single(result.Records);
        Assert.True(record.Outcome is Outcomes.Recovered or Outcomes.RolledBack or Outcomes.Failed, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.True(faults.Calls >= failAt || record.Outcome == Outcomes.Recovered, "the fault point was never reached");
        AssertInvariants(sim, before, result);
    }

    [Fact]
    public async Task A_failed_repair_is_restored_from_the_snapshot_and_keeps_the_original()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var id = sim.Id("graviton");
        // The install run on the rescue fails for this instance's OS: the volume may be half changed.
        sim.World.Faults.For(id).DriverBuildFails = true;
        var before = Snapshot(sim, [id]);

        var result = await RunAsync(sim, NitroEngine.Service(sim), [id]);

        var record = Assert.Single(result.Records);
        Assert.True(record.Outcome == Outcomes.RolledBack, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.Contains("restored from the snapshot", record.OutcomeReason);
        Assert.Contains("kept", record.OutcomeReason);
        AssertInvariants(sim, before, result);
    }

    /// <summary>The instance is stopped while its rescue boots: a rescue that dies before it runs costs a stop and a start, nothing more.</summary>
    [Fact]
    public async Task A_rescue_terminated_while_it_boots_rolls_the_stopped_instance_back_as_found()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var id = sim.Id("graviton");
        var before = Snapshot(sim, [id]);
        var service = NitroEngine.Service(sim);
        var started = await service.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, DryRun: false, "test", null));
        var (ec2, _) = Aws.Engine.EngineFactory.CreateClients(new Aws.Engine.AwsConnection("us-east-1", sim.Host.Endpoint.ToString(), new Amazon.Runtime.BasicAWSCredentials("test", "test")));
        // Look by look until the engine has asked for the stop; the rescue it launched is still pending then.
        for (var look = 0; !sim.World.Instance(id).Timeline.Any(e => e.Phase == TimelineEntry.Stop); look++)
        {
            Assert.True(look < 100, "the engine never stopped the instance");
            var result = await service.AdvanceAsync(started.RemediationIds);
            sim.Clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }
        var rescue = Assert.Single(sim.World.Instances, i => i.Tags.GetValueOrDefault("EnaRemediate:LaunchedBy") == NitroOptions.CliStackName);
        Assert.Equal("pending", rescue.State);
        await ec2.TerminateInstancesAsync(new Amazon.EC2.Model.TerminateInstancesRequest { InstanceIds = [rescue.InstanceId] });

        var end = await sim.RunAsync(started.RemediationIds, service);

        var record = Assert.Single(end.Records);
        Assert.True(record.Outcome == Outcomes.RolledBack, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.Contains($"the rescue instance {rescue.InstanceId} is", record.OutcomeReason);
        Assert.Contains(sim.World.Instance(id).Timeline, e => e.Phase == TimelineEntry.Start);
        Assert.DoesNotContain(sim.World.Instance(id).Timeline, e => e.Phase == TimelineEntry.Attach && e.Subject == rescue.InstanceId);
        AssertInvariants(sim, before, end);
    }

    [Fact]
    public async Task A_guest_that_cannot_boot_on_xen_is_rolled_back_to_its_type_and_offline_repair_then_recovers_it()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var id = sim.Id("swap");
        sim.World.Instance(id).Guest!.FstabNamesNvmeDevices = true;
        var before = Snapshot(sim, [id]);

        var swap = await RunAsync(sim, NitroEngine.Service(sim), [id]);
        var record = Assert.Single(swap.Records);
        Assert.True(record.Outcome == Outcomes.RolledBack, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.Contains("--route offline-repair", record.OutcomeReason);
        var stored = await sim.Store.GetAsync(record.RemediationId);
        Assert.Equal("offline-repair", stored!.Memo[TypeSwapMemo.NextRoute]);
        AssertInvariants(sim, before, swap);

        sim.Clock.Advance(TimeSpan.FromMinutes(1));
        var offline = await RunAsync(sim, NitroEngine.Service(sim), [id], route: "offline-repair");
        var repaired = Assert.Single(offline.Records);
        Assert.True(repaired.Outcome == Outcomes.Recovered, $"{repaired.Outcome}: {repaired.OutcomeReason}");
        AssertInvariants(sim, before, offline);
    }

    [Fact]
    public async Task No_capacity_for_the_stand_in_rolls_back_to_the_original_type()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var id = sim.Id("swap");
        // Every start on a Xen type fails with InsufficientInstanceCapacity; the original type starts.
        sim.World.Faults.For(id).NoXenCapacity = true;
        var before = Snapshot(sim, [id]);

        var result = await RunAsync(sim, NitroEngine.Service(sim), [id]);

        var record = Assert.Single(result.Records);
        Assert.True(record.Outcome == Outcomes.RolledBack, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.Contains("InsufficientInstanceCapacity", record.OutcomeReason);
        Assert.Contains($"original type {before[id].Type}", record.OutcomeReason);
        AssertInvariants(sim, before, result);
    }

    [Fact]
    public async Task The_route_override_is_taken_when_possible_and_refused_with_the_reason_when_not()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var service = NitroEngine.Service(sim);
        var x86 = sim.Id("swap");
        var arm = sim.Id("graviton");

        var swapArm = await service.StartAsync(new RemediationRequest([arm], RemediationMode.Remediate, false, "test", null)
        {
            PlanOptions = new Dictionary<string, string> { ["route"] = "type-swap" },
        });
        var refused = Assert.Single(swapArm.Instances);
        Assert.Equal("route-not-possible", refused.RefusalCode);
        Assert.Contains("arm64", refused.Reason);

        var result = await RunAsync(sim, service, [x86], route: "offline-repair");
        var record = Assert.Single(result.Records);
        Assert.Equal(("offline-repair", Outcomes.Recovered), (record.Plan, record.Outcome));
    }

    [Fact]
    public async Task With_one_rescue_allowed_repairs_in_two_zones_wait_their_turn_and_the_snapshot_is_kept_on_request()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet");
        var options = NitroEngine.Options(sim.World, keepSnapshot: true);
        var service = new RemediationService(
            new Aws.Engine.Ec2Adapter(Client(sim)), new Aws.Engine.SsmAdapter(Aws.Engine.EngineFactory.CreateClients(Connection(sim)).Ssm), sim.Store,
            options with { Nitro = options.Nitro with { MaxConcurrentRescues = 1 } }, sim.Clock, nitro: new Aws.Engine.NitroAdapter(Client(sim)));
        var ids = new[] { sim.Id("graviton"), sim.Id("nitro-only-zone") };
        var result = await RunAsync(sim, service, ids);

        Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.Recovered, $"{r.InstanceId}: {r.Outcome}: {r.OutcomeReason}"));
        Assert.Equal(2, sim.World.Instances.Count(i => i.Tags.GetValueOrDefault("EnaRemediate:LaunchedBy") == NitroOptions.CliStackName));
        Assert.Equal(2, sim.World.AllSnapshots.Count(s => s.Tags.ContainsKey("EnaRemediate:RemediationId")));
        Assert.DoesNotContain(sim.World.Instances, i => i.Tags.GetValueOrDefault("EnaRemediate:LaunchedBy") == NitroOptions.CliStackName && i.State == "running");
    }

    private static Aws.Engine.AwsConnection Connection(SimulatedEngine sim) => new("us-east-1", sim.Host.Endpoint.ToString(), new Amazon.Runtime.BasicAWSCredentials("test", "test"));

    private static Amazon.EC2.IAmazonEC2 Client(SimulatedEngine sim) => Aws.Engine.EngineFactory.CreateClients(Connection(sim)).Ec2;
}
