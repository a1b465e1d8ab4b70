using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Tests;

/// <summary>The Nitro offline repair by hand: the broken root volume is repaired from a rescue instance with EnaRemediate-OfflineRepair.</summary>
public sealed class OfflineRepairJourneyTests
{
    [Fact]
    public async Task A_nitro_root_repaired_through_a_rescue_instance_boots_reachable()
    {
        await using var sim = await Sim.StartAsync("mixed-fleet");
        var broken = sim.Id("nitro");
        var rescue = sim.Id("healthy");
        var root = (await sim.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("attachment.instance-id", [broken])] })).Volumes.Single();
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [broken] });
        sim.Advance(TimeSpan.FromSeconds(90));
        await sim.Ec2.DetachVolumeAsync(new DetachVolumeRequest { VolumeId = root.VolumeId });
        sim.Advance(TimeSpan.FromSeconds(10));
        await sim.Ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = root.VolumeId, InstanceId = rescue, Device = "/dev/sdf" });
        sim.Advance(TimeSpan.FromSeconds(10));

        var install = await RunAsync(sim, rescue, "EnaRemediate-OfflineRepair", new()
        {
            ["SourceArchive"] = ["s3://bucket/ena_linux_2.16.1.tar.gz"],
            ["Sha256"] = [new string('a', 64)],
            ["Version"] = ["2.16.1"],
            ["TargetDevice"] = ["/dev/sdf"],
        });
        Assert.Equal("Success", install.Status.Value);
        Assert.Contains("mounted /dev/sdf", install.StandardOutputContent, StringComparison.Ordinal);
        // The volume's kernels got the module; the rescue's own OS did not.
        Assert.All(sim.World.AllVolumes.Single(v => v.VolumeId == root.VolumeId).Guest!.Kernels, k => Assert.Equal("2.16.1g", k.Ena?.Version));
        Assert.DoesNotContain(sim.World.Instance(rescue).Guest!.Kernels, k => k.Ena?.Version == "2.16.1g");

        await sim.Ec2.DetachVolumeAsync(new DetachVolumeRequest { VolumeId = root.VolumeId });
        sim.Advance(TimeSpan.FromSeconds(10));
        await sim.Ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = root.VolumeId, InstanceId = broken, Device = "/dev/xvda" });
        sim.Advance(TimeSpan.FromSeconds(10));
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [broken] });
        sim.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("ok", await sim.InstanceStatusAsync(broken));
        Assert.Equal(broken, sim.World.AllVolumes.Single(v => v.VolumeId == root.VolumeId).Attachment!.InstanceId);
        // The benchmark's floor replays the journey from the timelines: the root's four moves on its own instance
        // (each with the instance it moved to or from), and the repair on the rescue naming the instance it was for.
        var moves = sim.World.Instance(broken).Timeline.Where(e => e.Phase is TimelineEntry.Attach or TimelineEntry.Detach).ToList();
        Assert.Equal([(TimelineEntry.Detach, broken), (TimelineEntry.Attach, rescue), (TimelineEntry.Detach, rescue), (TimelineEntry.Attach, broken)],
            moves.Select(e => (e.Phase, e.Subject)));
        Assert.All(moves, e => Assert.InRange((e.ReadyAt!.Value - e.At).TotalSeconds, Latencies.VolumeAttachment.Min, Latencies.VolumeAttachment.Max));
        Assert.Equal(broken, sim.World.Instance(rescue).Timeline.Single(e => e.Phase == TimelineEntry.Command("EnaRemediate-OfflineRepair")).Subject);

        var missing = await RunAsync(sim, rescue, "EnaRemediate-OfflineRepair", new() { ["TargetDevice"] = ["/dev/sdg"], ["Sha256"] = [new string('a', 64)] });
        Assert.Equal("Failed", missing.Status.Value);
        Assert.Null(sim.World.Instance(rescue).Timeline.Last(e => e.Phase == TimelineEntry.Command("EnaRemediate-OfflineRepair")).Subject);
        await Assert.ThrowsAsync<InvalidParametersException>(() => sim.Ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = "EnaRemediate-OfflineRepair", InstanceIds = [rescue], Parameters = new() { ["TargetDevice"] = ["/dev/xvda; reboot"], ["Sha256"] = [new string('a', 64)] },
        }));
        // The private TargetDevice of the other documents is gone.
        await Assert.ThrowsAsync<InvalidParametersException>(() => sim.Ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [rescue], Parameters = new() { ["TargetDevice"] = ["/dev/sdf"] },
        }));
    }

    private static async Task<GetCommandInvocationResponse> RunAsync(Sim sim, string instanceId, string document, Dictionary<string, List<string>> parameters)
    {
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = document, InstanceIds = [instanceId], Parameters = parameters });
        sim.Advance(TimeSpan.FromMinutes(4));
        return await sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = send.Command.CommandId, InstanceId = instanceId });
    }
}
