using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Core.HostReports;
using System.Text.Json;

namespace EnaRemediate.Simulator.Tests;

/// <summary>The whole fallback remediation, driven by the real SDK, as the engine will drive it.</summary>
public sealed class FallbackJourneyTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task A_broken_xen_instance_recovers_through_stop_disable_start_install_enable_start()
    {
        await using var sim = await Sim.StartAsync("kernel-update");
        var id = sim.Id("web");
        Assert.Equal("impaired", await sim.InstanceStatusAsync(id));

        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        Assert.Equal("stopping", (await sim.InstanceAsync(id)).State.Name.Value);
        sim.Advance(TimeSpan.FromSeconds(91));
        Assert.Equal("stopped", (await sim.InstanceAsync(id)).State.Name.Value);

        await sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, EnaSupport = false });
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("ok", await sim.InstanceStatusAsync(id));
        var info = await sim.Ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest
        {
            Filters = [new InstanceInformationStringFilter { Key = "InstanceIds", Values = [id] }],
        });
        Assert.Equal("Online", info.InstanceInformationList.Single().PingStatus.Value);

        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = "EnaRemediate-InstallDriver",
            InstanceIds = [id],
            Parameters = new() { ["SourceArchive"] = ["https://example.com/ena_linux_2.16.1.tar.gz"], ["Sha256"] = [Sha], ["Version"] = ["2.16.1"] },
        });
        var commandId = send.Command.CommandId;
        // SSM knows a new command's invocations only a moment after SendCommand.
        sim.Advance(TimeSpan.FromSeconds(World.Latencies.InvocationListing.Max));
        Assert.Contains((await Invocation(sim, commandId, id)).Status.Value, new[] { "Pending", "InProgress" });
        sim.Advance(TimeSpan.FromMinutes(4));
        var install = await Invocation(sim, commandId, id);
        Assert.Equal("Success", install.Status.Value);
        var result = JsonSerializer.Deserialize<InstallResult>(install.StandardOutputContent.TrimEnd().Split('\n')[^1], HostReportJson.Options)!;
        Assert.Equal("installed", result.Status);
        Assert.All(result.Kernels!, k => Assert.Equal("installed", k.Dkms));
        Assert.Equal(2, result.Kernels!.Count);

        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(91));
        await sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, EnaSupport = true });
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("ok", await sim.InstanceStatusAsync(id));

        var collect = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(30));
        var validation = await Invocation(sim, collect.Command.CommandId, id);
        Assert.Equal("Success", validation.Status.Value);
        var report = JsonSerializer.Deserialize<HostReport>(validation.StandardOutputContent, HostReportJson.Options)!;
        Assert.Equal("ena", report.Interfaces!.Single().Driver);
        Assert.Equal("2.16.1g", report.Interfaces!.Single().DriverVersion);
        Assert.True(report.Readiness!.EnaCanBeEnabled);
        Assert.All(report.Kernels!, k => Assert.NotNull(k.EnaModule));
    }

    private static Task<GetCommandInvocationResponse> Invocation(Sim sim, string commandId, string instanceId) =>
        sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = commandId, InstanceId = instanceId });
}
