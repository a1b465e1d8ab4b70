using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;

namespace EnaRemediate.Simulator.Tests;

/// <summary>A fleet of a thousand: the batch calls the engine makes (one describe, one stop for many) work at that size.</summary>
public sealed class FleetScaleTests
{
    [Fact]
    public async Task A_thousand_instances_are_observed_in_one_call_and_stopped_in_batches()
    {
        await using var sim = await Sim.StartAsync("kernel-update", instances: 1000);
        var ids = sim.World.Instances.Select(i => i.InstanceId).ToList();
        var described = await sim.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ids });
        Assert.Equal(1000, described.Reservations.Count);
        var impaired = new List<string>();
        await foreach (var status in sim.Ec2.Paginators.DescribeInstanceStatus(new DescribeInstanceStatusRequest
        {
            MaxResults = 1000, Filters = [new Filter("instance-status.status", ["impaired"])],
        }).InstanceStatuses)
        {
            impaired.Add(status.InstanceId);
        }
        Assert.Equal(1000, impaired.Count);

        foreach (var batch in ids.Chunk(100))
        {
            await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [.. batch] });
        }
        sim.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(1000, (await sim.InstancesAsync(new Filter("instance-state-name", ["stopped"]))).Count);
        var info = await sim.Ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest
        {
            Filters = [new InstanceInformationStringFilter { Key = "PingStatus", Values = ["Online"] }],
        });
        Assert.Empty(info.InstanceInformationList ?? []);
        Assert.Equal(10, sim.World.Counters["StopInstances"]);
    }
}
