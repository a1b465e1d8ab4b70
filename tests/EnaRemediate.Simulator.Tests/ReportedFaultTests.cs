using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;

namespace EnaRemediate.Simulator.Tests;

/// <summary>Faults that act on what SSM and the status checks report.</summary>
public sealed class ReportedFaultTests
{
    [Fact]
    public async Task An_agent_that_never_comes_online_stays_off_the_online_list_while_the_instance_is_ok()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        sim.World.Faults.For(id).SsmAgentNeverOnline = true;
        var info = await sim.Ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest
        {
            Filters = [new InstanceInformationStringFilter { Key = "InstanceIds", Values = [id] }],
        });
        Assert.Equal("ConnectionLost", info.InstanceInformationList.Single().PingStatus.Value);
        Assert.Equal("ok", await sim.InstanceStatusAsync(id));
    }

    [Fact]
    public async Task An_impaired_system_check_is_reported_apart_from_the_instance_check()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        sim.World.Faults.For(id).SystemCheckImpaired = true;
        var status = (await sim.Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [id] })).InstanceStatuses.Single();
        Assert.Equal("impaired", status.SystemStatus.Status.Value);
        Assert.Equal("ok", status.Status.Status.Value);
    }
}
