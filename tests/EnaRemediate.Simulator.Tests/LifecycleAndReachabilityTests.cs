using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Simulator.Time;

namespace EnaRemediate.Simulator.Tests;

/// <summary>Time-derived state, derived reachability, determinism under a seed and the speed factor.</summary>
public sealed class LifecycleAndReachabilityTests
{
    [Fact]
    public async Task Boot_then_break_with_a_kernel_update_turns_the_instance_check_impaired()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        Assert.Equal("ok", await sim.InstanceStatusAsync(id));
        Assert.Equal("Online", await PingAsync(sim, id));

        var kernel = sim.World.BreakWithKernelUpdate(id);
        Assert.Equal("6.1.0-57-amd64", kernel);
        Assert.Equal("initializing", await sim.InstanceStatusAsync(id));
        sim.Advance(TimeSpan.FromMinutes(5));

        var status = (await sim.Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [id] })).InstanceStatuses.Single();
        Assert.Equal("impaired", status.Status.Status.Value);
        Assert.Equal("failed", status.Status.Details.Single().Status.Value);
        Assert.NotNull(status.Status.Details.Single().ImpairedSince);
        Assert.Equal("ok", status.SystemStatus.Status.Value);
        Assert.Equal("ConnectionLost", await PingAsync(sim, id));
        var impaired = await sim.Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest
        {
            Filters = [new Filter("instance-status.status", ["impaired"])],
        });
        Assert.Equal(id, impaired.InstanceStatuses.Single().InstanceId);
    }

    [Fact]
    public async Task A_reboot_after_the_driver_is_installed_brings_the_broken_kernel_back_with_ena()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        sim.World.BreakWithKernelUpdate(id);
        sim.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("impaired", await sim.InstanceStatusAsync(id));
        // What an offline repair would have done to the disk: the new kernel gets a module.
        var guest = sim.World.Instance(id).Guest!;
        guest.Newest!.Ena = World.GuestOs.DkmsModule(guest.Newest.Version, "2.16.1");
        await sim.Ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = [id] });
        Assert.Equal("initializing", await sim.InstanceStatusAsync(id));
        sim.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("ok", await sim.InstanceStatusAsync(id));
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        var stopping = await Assert.ThrowsAsync<Amazon.EC2.AmazonEC2Exception>(() => sim.Ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = [id] }));
        Assert.Equal("IncorrectInstanceState", stopping.ErrorCode);
    }

    [Fact]
    public async Task Start_goes_pending_running_then_checks_initialize_within_the_documented_ranges()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("stopping", (await sim.InstanceAsync(id)).State.Name.Value);
        sim.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("stopped", (await sim.InstanceAsync(id)).State.Name.Value);
        var all = await sim.Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { IncludeAllInstances = true, InstanceIds = [id] });
        Assert.Equal("not-applicable", all.InstanceStatuses.Single().Status.Status.Value);
        var runningOnly = await sim.Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [id] });
        Assert.Empty(runningOnly.InstanceStatuses ?? []);

        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal("pending", (await sim.InstanceAsync(id)).State.Name.Value);
        sim.Advance(TimeSpan.FromSeconds(26));
        Assert.Equal("running", (await sim.InstanceAsync(id)).State.Name.Value);
        Assert.Equal("initializing", await sim.InstanceStatusAsync(id));
        sim.Advance(TimeSpan.FromSeconds(60 + 180));
        Assert.Equal("ok", await sim.InstanceStatusAsync(id));
    }

    [Fact]
    public async Task Reachability_follows_type_virtualization_and_the_running_kernels_module()
    {
        await using var sim = await Sim.StartAsync("mixed-fleet");
        var pv = sim.Id("pv");
        var fallback = sim.Id("fallback");
        var healthy = sim.Id("healthy");
        var now = sim.Clock.GetUtcNow();
        // PV with ENA on is unreachable even though its kernel has an ena module.
        Assert.NotNull(sim.World.Instance(pv).Guest!.Newest!.Ena);
        Assert.False(sim.World.Instance(pv).IsReachable(now));
        Assert.False(sim.World.Instance(fallback).IsReachable(now));
        Assert.Equal("ena", sim.World.Instance(healthy).BoundNetworkDriver(now));

        // With ENA off, the PV (unsupported type) and the Xen 'supported' instance use their stock drivers.
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [pv, fallback] });
        sim.Advance(TimeSpan.FromSeconds(90));
        foreach (var id in new[] { pv, fallback })
        {
            await sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, EnaSupport = false });
        }
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [pv, fallback] });
        sim.Advance(TimeSpan.FromMinutes(5));
        now = sim.Clock.GetUtcNow();
        Assert.Equal("xen-netfront", sim.World.Instance(pv).BoundNetworkDriver(now));
        Assert.Equal("xen-netfront", sim.World.Instance(fallback).BoundNetworkDriver(now));
        Assert.Equal("ok", await sim.InstanceStatusAsync(pv));
        Assert.Equal("ok", await sim.InstanceStatusAsync(fallback));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_ids_and_timeline_and_another_seed_does_not()
    {
        var a = await Timeline(seed: 7);
        var b = await Timeline(seed: 7);
        var c = await Timeline(seed: 8);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    // Ids, then for each instance the second at which a stop completes.
    private static async Task<List<string>> Timeline(int seed)
    {
        await using var sim = await Sim.StartAsync("kernel-update", seed: seed);
        var ids = sim.World.Instances.Select(i => i.InstanceId).ToList();
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ids });
        var stoppedAt = new Dictionary<string, int>();
        for (var second = 1; second <= 90 && stoppedAt.Count < ids.Count; second++)
        {
            sim.Advance(TimeSpan.FromSeconds(1));
            foreach (var i in await sim.InstancesAsync(new Filter("instance-state-name", ["stopped"])))
            {
                stoppedAt.TryAdd(i.InstanceId, second);
            }
        }
        return ids.Concat(ids.Select(id => $"{id}@{stoppedAt[id]}")).ToList();
    }

    [Fact]
    public async Task At_speed_1000_a_stop_completes_within_90_simulated_seconds_of_sleeping_on_the_simulator_clock()
    {
        var clock = new ScaledTimeProvider(1000);
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "kernel-update", Clock = clock });
        using var ec2 = new Amazon.EC2.AmazonEC2Client(new Amazon.Runtime.BasicAWSCredentials("test", "test"),
            new Amazon.EC2.AmazonEC2Config { ServiceURL = host.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var id = host.World.Instances[0].InstanceId;
        var before = host.Clock.GetUtcNow();
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        await Task.Delay(TimeSpan.FromSeconds(91), host.Clock);
        var elapsed = host.Clock.GetUtcNow() - before;
        Assert.True(elapsed >= TimeSpan.FromSeconds(91), $"slept {elapsed} of simulated time");
        var state = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] })).Reservations[0].Instances[0].State.Name.Value;
        Assert.Equal("stopped", state);
    }

    [Fact]
    public void The_scaled_clock_runs_speed_times_faster_and_rejects_speeds_out_of_range()
    {
        var clock = new ScaledTimeProvider(500);
        var start = clock.GetTimestamp();
        Thread.Sleep(20);
        var simulated = clock.GetElapsedTime(start);
        // At least 20 ms of real time passed, so at least 10 simulated seconds did.
        Assert.True(simulated >= TimeSpan.FromSeconds(10), $"{simulated}");
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScaledTimeProvider(0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScaledTimeProvider(5000));
    }

    private static async Task<string?> PingAsync(Sim sim, string id)
    {
        var info = await sim.Ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest
        {
            Filters = [new InstanceInformationStringFilter { Key = "InstanceIds", Values = [id] }],
        });
        return info.InstanceInformationList?.SingleOrDefault()?.PingStatus?.Value;
    }
}
