using Amazon.EC2;
using Amazon.EC2.Model;

namespace EnaRemediate.Simulator.Tests;

/// <summary>EC2's token buckets answer RequestLimitExceeded (HTTP 503), which the SDK's standard retries absorb.</summary>
public sealed class ThrottlingTests
{
    [Fact]
    public async Task Without_retries_the_sixth_rapid_StartInstances_sees_RequestLimitExceeded()
    {
        await using var sim = await Sim.StartAsync("healthy", maxErrorRetry: 0);
        var id = sim.Id("ok");
        for (var n = 0; n < 5; n++)
        {
            await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        }
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] }));
        Assert.Equal("RequestLimitExceeded", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(1, sim.World.Counters.Throttled);

        // The bucket refills at 2 tokens per second of simulator time.
        sim.Advance(TimeSpan.FromSeconds(1));
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        Assert.Equal(7, sim.World.Counters["StartInstances"]);
    }

    [Fact]
    public async Task With_the_sdks_retries_a_throttled_call_succeeds_once_the_bucket_refills()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        // Time passes while the SDK backs off: each refusal moves the simulator clock one second on.
        sim.World.Throttle.Rejected += _ => sim.Advance(TimeSpan.FromSeconds(1));
        for (var n = 0; n < 6; n++)
        {
            await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        }
        Assert.Equal(1, sim.World.Counters.Throttled);
        Assert.Equal(7, sim.World.Counters["StartInstances"]);
    }

    [Fact]
    public async Task Unfiltered_describes_use_the_smaller_bucket_and_the_resource_bucket_limits_stops_of_one_instance()
    {
        await using var sim = await Sim.StartAsync("healthy", maxErrorRetry: 0);
        for (var n = 0; n < 50; n++)
        {
            await sim.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest());
        }
        await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest()));
        // A filtered call draws from the other bucket and still goes through.
        await sim.InstancesAsync(new Filter("instance-state-name", ["running"]));

        sim.World.Throttle.Override("StopInstances", 1000, 100);
        var id = sim.Id("ok");
        var refused = 0;
        for (var n = 0; n < 1001; n++)
        {
            try
            {
                await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
            }
            catch (AmazonEC2Exception e) when (e.ErrorCode == "RequestLimitExceeded")
            {
                refused++;
            }
        }
        Assert.Equal(1, refused);
    }

    [Fact]
    public async Task The_stop_and_start_resource_buckets_are_one_per_account_drained_by_every_instance_touched()
    {
        await using var sim = await Sim.StartAsync("kernel-update", instances: 1200, maxErrorRetry: 0);
        var ids = sim.World.Instances.Select(i => i.InstanceId).ToList();
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ids[..600] });
        // 600 of the account's 1,000 stop tokens are gone, whichever instances the next call names.
        var refused = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ids[600..] }));
        Assert.Equal("RequestLimitExceeded", refused.ErrorCode);
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ids[600..1000] });
        sim.Advance(TimeSpan.FromSeconds(10)); // 20 tokens a second: 200 back
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ids[1000..] });

        sim.Advance(TimeSpan.FromMinutes(2));
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = ids[..1000] });
        sim.Advance(TimeSpan.FromSeconds(1)); // the action bucket has tokens again; the resource bucket only 2
        var starts = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = ids[1000..1003] }));
        Assert.Equal("RequestLimitExceeded", starts.ErrorCode);
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = ids[1000..1002] });
        Assert.Equal(2, sim.World.Counters.Throttled);
    }
}
