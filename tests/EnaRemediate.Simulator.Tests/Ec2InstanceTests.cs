using Amazon.EC2;
using Amazon.EC2.Model;

namespace EnaRemediate.Simulator.Tests;

/// <summary>Instance actions over the wire: filters, pagination, the documented errors, DryRun, faults.</summary>
public sealed class Ec2InstanceTests
{
    [Fact]
    public async Task Filters_select_by_tag_state_id_and_root_device()
    {
        await using var sim = await Sim.StartAsync("mixed-fleet");
        var all = await sim.InstancesAsync();
        Assert.Equal(8, all.Count);
        var optedIn = await sim.InstancesAsync(new Filter("tag:EnaRemediate:OptIn", ["true"]));
        Assert.Equal(7, optedIn.Count);
        Assert.Equal(8, (await sim.InstancesAsync(new Filter("instance-state-name", ["running"]))).Count);
        Assert.Empty(await sim.InstancesAsync(new Filter("instance-state-name", ["stopped"])));
        var store = Assert.Single(await sim.InstancesAsync(new Filter("root-device-type", ["instance-store"])));
        Assert.Equal("x1.16xlarge", store.InstanceType.Value);
        var byId = Assert.Single(await sim.InstancesAsync(new Filter("instance-id", [all[3].InstanceId])));
        Assert.Equal(all[3].InstanceId, byId.InstanceId);
        Assert.Single(await sim.InstancesAsync(new Filter("tag:aws:autoscaling:groupName", ["web-*"])));
    }

    [Fact]
    public async Task An_instance_carries_what_triage_needs()
    {
        await using var sim = await Sim.StartAsync("mixed-fleet");
        var pv = await sim.InstanceAsync(sim.Id("pv"));
        Assert.Equal(VirtualizationType.Paravirtual, pv.VirtualizationType);
        Assert.True(pv.EnaSupport);
        Assert.Equal("aki-919dcaf8", pv.KernelId);
        var fallback = await sim.InstanceAsync(sim.Id("fallback"));
        Assert.Equal(DeviceType.Ebs, fallback.RootDeviceType);
        Assert.Equal("/dev/xvda", fallback.RootDeviceName);
        Assert.Single(fallback.BlockDeviceMappings);
        Assert.StartsWith("vol-", fallback.BlockDeviceMappings[0].Ebs.VolumeId);
        Assert.Equal("true", fallback.Tags.Single(t => t.Key == "EnaRemediate:OptIn").Value);
    }

    [Fact]
    public async Task Pagination_walks_every_instance_once_and_rejects_bad_page_sizes()
    {
        await using var sim = await Sim.StartAsync("mixed-fleet", instances: 23);
        var first = await sim.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5 });
        Assert.Equal(5, first.Reservations.Count);
        Assert.NotNull(first.NextToken);
        var seen = new List<string>();
        await foreach (var reservation in sim.Ec2.Paginators.DescribeInstances(new DescribeInstancesRequest { MaxResults = 10 }).Reservations)
        {
            seen.AddRange(reservation.Instances.Select(i => i.InstanceId));
        }
        Assert.Equal(23, seen.Distinct().Count());
        Assert.Equal(23, seen.Count);

        var small = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 3 }));
        Assert.Equal("InvalidParameterValue", small.ErrorCode);
        var both = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5, InstanceIds = [seen[0]] }));
        Assert.Equal("InvalidParameterCombination", both.ErrorCode);
        var token = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { NextToken = "garbage!" }));
        Assert.Equal("InvalidParameterValue", token.ErrorCode);
    }

    [Fact]
    public async Task Unknown_and_malformed_ids_get_their_own_errors()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var missing = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ["i-0123456789abcdef0"] }));
        Assert.Equal("InvalidInstanceID.NotFound", missing.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("i-0123456789abcdef0", missing.Message);
        var malformed = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ["i-<script>"] }));
        Assert.Equal("InvalidInstanceID.Malformed", malformed.ErrorCode);
        var filter = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.InstancesAsync(new Filter("no-such-filter", ["x"])));
        Assert.Equal("InvalidParameterValue", filter.ErrorCode);
    }

    [Fact]
    public async Task Stopping_a_stopped_instance_is_fine_but_starting_a_stopping_one_is_not()
    {
        await using var sim = await Sim.StartAsync("kernel-update");
        var id = sim.Id("web");
        var stop = await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        Assert.Equal("running", stop.StoppingInstances.Single().PreviousState.Name.Value);
        Assert.Equal("stopping", stop.StoppingInstances.Single().CurrentState.Name.Value);
        Assert.Equal(64, stop.StoppingInstances.Single().CurrentState.Code);

        var early = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] }));
        Assert.Equal("IncorrectInstanceState", early.ErrorCode);
        var modify = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, EnaSupport = false }));
        Assert.Equal("IncorrectInstanceState", modify.ErrorCode);

        sim.Advance(TimeSpan.FromSeconds(90));
        var again = await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        Assert.Equal("stopped", again.StoppingInstances.Single().CurrentState.Name.Value);
        var start = await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        Assert.Equal("pending", start.StartingInstances.Single().CurrentState.Name.Value);
        var twice = await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        Assert.Equal("pending", twice.StartingInstances.Single().PreviousState.Name.Value);
    }

    [Fact]
    public async Task Instance_store_instances_cannot_be_stopped()
    {
        await using var sim = await Sim.StartAsync("instance-store");
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [sim.Id("batch")] }));
        Assert.Equal("UnsupportedOperation", error.ErrorCode);
        Assert.Equal("running", (await sim.InstanceAsync(sim.Id("batch"))).State.Name.Value);
    }

    [Fact]
    public async Task A_nitro_instance_with_ena_off_does_not_start_and_says_why()
    {
        await using var sim = await Sim.StartAsync("nitro-required");
        var id = sim.Id("api");
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(90));
        await sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, EnaSupport = false });
        var attribute = await sim.Ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = id, Attribute = InstanceAttributeName.EnaSupport });
        Assert.False(attribute.InstanceAttribute.EnaSupport);
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] }));
        Assert.Equal(
            $"Enhanced networking with the Elastic Network Adapter (ENA) is required for the 'm5.large' instance type. Ensure that your instance '{id}' is enabled for ENA.",
            error.Message);
        Assert.Equal("stopped", (await sim.InstanceAsync(id)).State.Name.Value);
    }

    [Fact]
    public async Task DryRun_answers_DryRunOperation_and_changes_nothing_and_denied_actions_are_unauthorized()
    {
        await using var sim = await Sim.StartAsync("kernel-update");
        var id = sim.Id("web");
        var dry = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id], DryRun = true }));
        Assert.Equal("DryRunOperation", dry.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.PreconditionFailed, dry.StatusCode);
        Assert.Equal("running", (await sim.InstanceAsync(id)).State.Name.Value);

        var describe = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { DryRun = true }));
        Assert.Equal("DryRunOperation", describe.ErrorCode);

        sim.World.Permissions.Deny("StopInstances");
        var denied = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id], DryRun = true }));
        Assert.Equal("UnauthorizedOperation", denied.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, denied.StatusCode);
    }

    [Fact]
    public async Task Injected_capacity_errors_fail_starts_until_used_up()
    {
        await using var sim = await Sim.StartAsync("kernel-update", maxErrorRetry: 0);
        var id = sim.Id("web");
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(90));
        sim.World.Faults.For(id).InsufficientCapacityStarts = 1;
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] }));
        Assert.Equal("InsufficientInstanceCapacity", error.ErrorCode);
        Assert.Equal("stopped", (await sim.InstanceAsync(id)).State.Name.Value);
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        Assert.Equal("pending", (await sim.InstanceAsync(id)).State.Name.Value);
    }

    [Fact]
    public async Task A_stuck_stop_only_ends_when_forced()
    {
        await using var sim = await Sim.StartAsync("kernel-update");
        var id = sim.Id("web");
        sim.World.Faults.For(id).StuckStopping = true;
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromHours(2));
        Assert.Equal("stopping", (await sim.InstanceAsync(id)).State.Name.Value);
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id], Force = true });
        sim.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("stopped", (await sim.InstanceAsync(id)).State.Name.Value);
    }

    [Fact]
    public async Task A_burst_of_server_errors_is_absorbed_by_the_sdk_retries_and_counted()
    {
        await using var sim = await Sim.StartAsync("healthy");
        sim.World.Faults.InjectServerErrors(2, "DescribeInstances");
        var instances = await sim.InstancesAsync();
        Assert.Equal(3, instances.Count);
        Assert.Equal(3, sim.World.Counters["DescribeInstances"]);
    }

    [Fact]
    public async Task Unknown_actions_are_rejected_as_EC2_does()
    {
        await using var sim = await Sim.StartAsync("healthy");
        using var http = new HttpClient();
        var response = await http.PostAsync(sim.Host.Endpoint, new FormUrlEncodedContent(new Dictionary<string, string> { ["Action"] = "RebootEverything", ["Version"] = "2016-11-15" }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("<Code>InvalidAction</Code>", body);
        Assert.Contains("<RequestID>", body);
    }
}
