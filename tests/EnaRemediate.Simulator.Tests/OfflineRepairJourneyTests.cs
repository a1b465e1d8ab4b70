using System.Text.Json;
using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Simulator.Tests;

/// <summary>The Nitro offline repair: the broken root volume is repaired from a rescue instance (TargetDevice).</summary>
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

        var before = await RunAsync(sim, rescue, "EnaRemediate-CollectHostReport", new() { ["TargetDevice"] = ["/dev/sdf"] });
        var offline = JsonSerializer.Deserialize<HostReport>(before.StandardOutputContent, HostReportJson.Options)!;
        Assert.False(offline.Readiness!.EnaCanBeEnabled);
        Assert.Equal(2, offline.Kernels!.Count);

        var install = await RunAsync(sim, rescue, "EnaRemediate-InstallDriver", new()
        {
            ["SourceArchive"] = ["s3://bucket/ena_linux_2.16.1.tar.gz"],
            ["Sha256"] = [new string('a', 64)],
            ["Version"] = ["2.16.1"],
            ["TargetDevice"] = ["/dev/sdf"],
        });
        Assert.Equal("Success", install.Status.Value);
        Assert.DoesNotContain(sim.World.Instance(rescue).Guest!.Kernels, k => k.Version.StartsWith("6.1.0-57", StringComparison.Ordinal));

        await sim.Ec2.DetachVolumeAsync(new DetachVolumeRequest { VolumeId = root.VolumeId });
        sim.Advance(TimeSpan.FromSeconds(10));
        await sim.Ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = root.VolumeId, InstanceId = broken, Device = "/dev/xvda" });
        sim.Advance(TimeSpan.FromSeconds(10));
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [broken] });
        sim.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("ok", await sim.InstanceStatusAsync(broken));
        Assert.Equal(broken, sim.World.AllVolumes.Single(v => v.VolumeId == root.VolumeId).Attachment!.InstanceId);

        var missing = await RunAsync(sim, rescue, "EnaRemediate-CollectHostReport", new() { ["TargetDevice"] = ["/dev/sdg"] });
        Assert.Equal("Failed", missing.Status.Value);
        await Assert.ThrowsAsync<InvalidParametersException>(() => sim.Ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [rescue], Parameters = new() { ["TargetDevice"] = ["/dev/xvda; reboot"] },
        }));
    }

    private static async Task<GetCommandInvocationResponse> RunAsync(Sim sim, string instanceId, string document, Dictionary<string, List<string>> parameters)
    {
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = document, InstanceIds = [instanceId], Parameters = parameters });
        sim.Advance(TimeSpan.FromMinutes(4));
        return await sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = send.Command.CommandId, InstanceId = instanceId });
    }
}
