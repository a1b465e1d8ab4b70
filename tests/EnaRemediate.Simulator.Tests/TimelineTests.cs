using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Tests;

/// <summary>Each instance records the times it drew (the benchmark's floor replays them): they are the times the API shows.</summary>
public sealed class TimelineTests
{
    [Fact]
    public async Task A_stop_a_start_and_a_command_record_when_each_ends_as_clients_see_it()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        var instance = sim.World.Instance(id);
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        var stop = Assert.Single(instance.Timeline);
        Assert.Equal(TimelineEntry.Stop, stop.Phase);
        Assert.Equal(Sim.Start, stop.At);
        Assert.Equal(InstanceStates.Stopping, instance.StateAt(stop.ReadyAt!.Value.AddSeconds(-1)));
        Assert.Equal(InstanceStates.Stopped, instance.StateAt(stop.ReadyAt.Value));

        sim.Clock.SetUtcNow(stop.ReadyAt.Value);
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        var start = instance.Timeline[^1];
        Assert.Equal(TimelineEntry.Start, start.Phase);
        Assert.NotEqual("Online", instance.PingStatusAt(start.ReadyAt!.Value.AddSeconds(-1)));
        Assert.Equal("Online", instance.PingStatusAt(start.ReadyAt.Value));
        Assert.Equal("initializing", instance.InstanceStatusAt(start.ChecksAt!.Value.AddSeconds(-1)));
        Assert.Equal("ok", instance.InstanceStatusAt(start.ChecksAt.Value));

        sim.Clock.SetUtcNow(start.ReadyAt.Value);
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [id] });
        var command = instance.Timeline[^1];
        Assert.Equal(TimelineEntry.Command("EnaRemediate-CollectHostReport"), command.Phase);
        sim.Clock.SetUtcNow(command.ReadyAt!.Value.AddSeconds(-1));
        var running = await sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = send.Command.CommandId, InstanceId = id });
        Assert.Equal("InProgress", running.Status.Value);
        sim.Clock.SetUtcNow(command.ReadyAt.Value);
        var done = await sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = send.Command.CommandId, InstanceId = id });
        Assert.Equal("Success", done.Status.Value);
        Assert.True(sim.World.Counters.HandlerCpu > TimeSpan.Zero);
    }
}
