using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Tests.Conformance;

/// <summary>
/// What running the AWS CLI and boto3 against the simulator found (issue 13 item 3), each checked
/// with an independent client and with the .NET SDK: the answers real EC2 and SSM give.
/// </summary>
public sealed class CliConformanceTests
{
    [Fact]
    public async Task The_cli_lists_volumes_and_snapshots_with_its_default_MaxResults_of_1000()
    {
        await using var sim = await Sim.StartAsync("kernel-update", instances: 600);
        var volumes = await ExternalClient.AwsCliAsync(sim, "ec2", "describe-volumes");
        Assert.True(volumes.ExitCode == 0, volumes.Stderr);
        // The CLI pages by itself: 600 volumes arrive in pages of at most 500.
        Assert.Equal(600, JsonDocument.Parse(volumes.Stdout).RootElement.GetProperty("Volumes").GetArrayLength());
        var snapshots = await ExternalClient.AwsCliAsync(sim, "ec2", "describe-snapshots", "--owner-ids", "self");
        Assert.True(snapshots.ExitCode == 0, snapshots.Stderr);

        var page = await sim.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { MaxResults = 1000 });
        Assert.Equal(500, page.Volumes.Count);
        Assert.NotNull(page.NextToken);
        var tooSmall = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { MaxResults = 4 }));
        Assert.Equal("InvalidParameterValue", tooSmall.ErrorCode);
    }

    [Fact]
    public async Task Stopping_an_instance_that_never_reached_running_is_IncorrectInstanceState()
    {
        await using var sim = await Sim.StartAsync("kernel-update", instances: 1);
        var id = sim.World.Instances[0].InstanceId;
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(Latencies.Stopping.Max));
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        Assert.Equal(InstanceStates.Pending, sim.World.Instance(id).State);

        var boto = await ExternalClient.Boto3Async(sim, $$"""
            print(error_code(lambda: client("ec2").stop_instances(InstanceIds=["{{id}}"])))
            """);
        Assert.True(boto.ExitCode == 0, boto.Stderr);
        Assert.Equal("IncorrectInstanceState", boto.Stdout.Trim());
        var sdk = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] }));
        Assert.Equal("IncorrectInstanceState", sdk.ErrorCode);
        Assert.Equal(InstanceStates.Pending, sim.World.Instance(id).State);

        sim.Advance(TimeSpan.FromSeconds(Latencies.Pending.Max));
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        Assert.Equal(InstanceStates.Stopping, sim.World.Instance(id).State);
    }

    [Fact]
    public async Task A_deregistered_image_describes_as_nothing_and_a_second_deregister_is_InvalidAMIID_Unavailable()
    {
        await using var sim = await Sim.StartAsync("instance-store");
        var first = sim.World.AllImages[0].ImageId;
        var boto = await ExternalClient.Boto3Async(sim, $$"""
            ec2 = client("ec2")
            ec2.deregister_image(ImageId="{{first}}")
            print(json.dumps({"images": ec2.describe_images(ImageIds=["{{first}}"])["Images"],
                              "again": error_code(lambda: ec2.deregister_image(ImageId="{{first}}"))}))
            """);
        Assert.True(boto.ExitCode == 0, boto.Stderr);
        var answer = JsonDocument.Parse(boto.Stdout).RootElement;
        Assert.Equal(0, answer.GetProperty("images").GetArrayLength());
        Assert.Equal("InvalidAMIID.Unavailable", answer.GetProperty("again").GetString());

        var cli = await ExternalClient.AwsCliAsync(sim, "ec2", "describe-images", "--image-ids", first);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Equal(0, JsonDocument.Parse(cli.Stdout).RootElement.GetProperty("Images").GetArrayLength());
        Assert.Empty((await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [first] })).Images ?? []);
    }

    [Fact]
    public async Task A_new_command_is_unknown_for_a_moment_then_listed_and_an_unknown_command_lists_nothing()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        var boto = await ExternalClient.Boto3Async(sim, $$"""
            ssm = client("ssm")
            sent = ssm.send_command(DocumentName="EnaRemediate-CollectHostReport", InstanceIds=["{{id}}"])["Command"]["CommandId"]
            print(json.dumps({
                "command": sent,
                "get": error_code(lambda: ssm.get_command_invocation(CommandId=sent, InstanceId="{{id}}")),
                "listedEarly": len(ssm.list_command_invocations(CommandId=sent)["CommandInvocations"]),
                "unknown": ssm.list_command_invocations(CommandId="11111111-2222-3333-4444-555555555555")["CommandInvocations"],
                "commands": [c["CommandId"] for c in ssm.list_commands(InstanceId="{{id}}")["Commands"]],
            }))
            """);
        Assert.True(boto.ExitCode == 0, boto.Stderr);
        var answer = JsonDocument.Parse(boto.Stdout).RootElement;
        var commandId = answer.GetProperty("command").GetString()!;
        Assert.Equal("InvocationDoesNotExist", answer.GetProperty("get").GetString());
        Assert.Equal(0, answer.GetProperty("listedEarly").GetInt32());
        Assert.Equal(0, answer.GetProperty("unknown").GetArrayLength());
        Assert.Equal([commandId], answer.GetProperty("commands").EnumerateArray().Select(c => c.GetString()).ToList());

        // The .NET SDK sees the same, and after a few seconds the invocation exists.
        await Assert.ThrowsAsync<InvocationDoesNotExistException>(() =>
            sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = commandId, InstanceId = id }));
        sim.Advance(TimeSpan.FromSeconds(Latencies.InvocationListing.Max));
        var invocation = await sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = commandId, InstanceId = id });
        Assert.Contains(invocation.Status.Value, new[] { "Pending", "InProgress" });
        var listed = await sim.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = commandId });
        Assert.Equal(id, Assert.Single(listed.CommandInvocations).InstanceId);
        Assert.Empty((await sim.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = Guid.NewGuid().ToString() })).CommandInvocations ?? []);
    }

    [Fact]
    public async Task ListCommands_reports_each_command_with_its_aggregate_status_newest_first()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var ids = sim.World.Instances.Select(i => i.InstanceId).ToList();
        var report = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = ids });
        sim.Advance(TimeSpan.FromSeconds(1));
        var shell = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "AWS-RunShellScript", InstanceIds = [ids[0]], Parameters = new() { ["commands"] = ["true"] } });
        var running = await sim.Ssm.ListCommandsAsync(new ListCommandsRequest());
        Assert.Equal([shell.Command.CommandId, report.Command.CommandId], running.Commands.Select(c => c.CommandId).ToList());
        Assert.All(running.Commands, c => Assert.Contains(c.Status.Value, new[] { "Pending", "InProgress" }));

        sim.Advance(TimeSpan.FromMinutes(2));
        var done = await sim.Ssm.ListCommandsAsync(new ListCommandsRequest { CommandId = report.Command.CommandId });
        var command = Assert.Single(done.Commands);
        Assert.Equal("Success", command.Status.Value);
        Assert.Equal(ids.Count, command.CompletedCount);
        var byDocument = await sim.Ssm.ListCommandsAsync(new ListCommandsRequest
        {
            Filters = [new CommandFilter { Key = "DocumentName", Value = "AWS-RunShellScript" }],
        });
        Assert.Equal(shell.Command.CommandId, Assert.Single(byDocument.Commands).CommandId);
        Assert.Empty((await sim.Ssm.ListCommandsAsync(new ListCommandsRequest { CommandId = Guid.NewGuid().ToString() })).Commands ?? []);
    }
}
