using System.Text.Json;
using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Tests;

/// <summary>SSM over JSON 1.1: managed-node listing, commands against the guest model, errors, output cuts.</summary>
public sealed class SsmTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static Dictionary<string, List<string>> InstallParameters(string version = "2.16.1") => new()
    {
        ["SourceArchive"] = ["https://example.com/ena.tar.gz"],
        ["Sha256"] = [Sha],
        ["Version"] = [version],
    };

    [Fact]
    public async Task Only_running_reachable_instances_are_online_and_the_list_pages()
    {
        await using var sim = await Sim.StartAsync("mixed-fleet");
        var all = new List<InstanceInformation>();
        await foreach (var info in sim.Ssm.Paginators.DescribeInstanceInformation(new DescribeInstanceInformationRequest { MaxResults = 5 }).InstanceInformationList)
        {
            all.Add(info);
        }
        Assert.Equal(8, all.Count);
        var online = Assert.Single(all, i => i.PingStatus == PingStatus.Online);
        Assert.Equal(sim.Id("healthy"), online.InstanceId);
        var filtered = await sim.Ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest
        {
            Filters = [new InstanceInformationStringFilter { Key = "PingStatus", Values = ["ConnectionLost"] }],
        });
        Assert.Equal(7, filtered.InstanceInformationList.Count);
    }

    [Fact]
    public async Task A_listing_since_a_moment_holds_the_invocations_of_the_commands_sent_from_then_newest_first()
    {
        await using var sim = await Sim.StartAsync("mixed-fleet");
        var id = sim.Id("healthy");
        var sent = new List<(string CommandId, string Document)>();
        foreach (var document in new[] { "EnaRemediate-CollectHostReport", "EnaRemediate-InstallDriver", "EnaRemediate-CollectHostReport", "EnaRemediate-CollectHostReport" })
        {
            var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest
            {
                DocumentName = document, InstanceIds = [id], Parameters = document.EndsWith("InstallDriver", StringComparison.Ordinal) ? InstallParameters() : null,
            });
            sent.Add((send.Command.CommandId, document));
            sim.Advance(TimeSpan.FromSeconds(10));
        }
        sim.Advance(TimeSpan.FromSeconds(Latencies.InvocationListing.Max));
        // InvokedAfter is read to the second: from the second command's send on.
        var after = Sim.Start.AddSeconds(10).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var listed = await sim.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest
        {
            Filters = [new CommandFilter { Key = CommandFilterKey.InvokedAfter, Value = after }, new CommandFilter { Key = CommandFilterKey.DocumentName, Value = "EnaRemediate-CollectHostReport" }],
        });
        Assert.Equal([sent[3].CommandId, sent[2].CommandId], listed.CommandInvocations.Select(i => i.CommandId));
        var all = await sim.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { Filters = [new CommandFilter { Key = CommandFilterKey.InvokedAfter, Value = after }] });
        Assert.Equal([sent[3].CommandId, sent[2].CommandId, sent[1].CommandId], all.CommandInvocations.Select(i => i.CommandId));
    }

    [Fact]
    public async Task A_command_to_an_offline_instance_times_out_undelivered()
    {
        await using var sim = await Sim.StartAsync("kernel-update");
        var id = sim.Id("web");
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [id], TimeoutSeconds = 60 });
        sim.Advance(TimeSpan.FromSeconds(Latencies.InvocationListing.Max));
        Assert.Equal("Pending", (await Get(sim, send.Command.CommandId, id)).Status.Value);
        sim.Advance(TimeSpan.FromSeconds(61 - Latencies.InvocationListing.Max));
        var invocation = await Get(sim, send.Command.CommandId, id);
        Assert.Equal("TimedOut", invocation.Status.Value);
        Assert.Equal("Delivery Timed Out", invocation.StatusDetails);
        Assert.Equal(-1, invocation.ResponseCode);
    }

    [Fact]
    public async Task SendCommand_rejects_unknown_documents_unmanaged_instances_and_bad_or_hostile_parameters()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        var document = await Assert.ThrowsAsync<InvalidDocumentException>(() =>
            sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "No-Such-Doc", InstanceIds = [id] }));
        Assert.Contains("No-Such-Doc", document.Message);
        await Assert.ThrowsAsync<InvalidInstanceIdException>(() =>
            sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = ["i-0123456789abcdef0"] }));
        var missing = InstallParameters();
        missing.Remove("Sha256");
        await Assert.ThrowsAsync<InvalidParametersException>(() =>
            sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-InstallDriver", InstanceIds = [id], Parameters = missing }));
        var hostile = InstallParameters("2.16.1; rm -rf /");
        await Assert.ThrowsAsync<InvalidParametersException>(() =>
            sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-InstallDriver", InstanceIds = [id], Parameters = hostile }));
        var kernels = InstallParameters();
        kernels["Kernels"] = ["$(reboot)"];
        await Assert.ThrowsAsync<InvalidParametersException>(() =>
            sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-InstallDriver", InstanceIds = [id], Parameters = kernels }));
        Assert.DoesNotContain(sim.World.Instances.SelectMany(i => i.Guest!.Kernels), k => k.Ena is { InTree: false });
        await Assert.ThrowsAsync<InvocationDoesNotExistException>(() => Get(sim, Guid.NewGuid().ToString(), id));
    }

    [Fact]
    public async Task Only_Sha256_is_required_the_rest_takes_the_documents_defaults()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = "EnaRemediate-InstallDriver", InstanceIds = [id], Parameters = new() { ["Sha256"] = [Sha], ["Version"] = [""] },
        });
        Assert.Equal("https://github.com/amzn/amzn-drivers/archive/refs/tags/ena_linux_2.16.1.tar.gz", send.Command.Parameters["SourceArchive"].Single());
        sim.Advance(TimeSpan.FromMinutes(4));
        var invocation = await Get(sim, send.Command.CommandId, id);
        Assert.Equal("Success", invocation.Status.Value);
        Assert.Equal("installEnaDriver", invocation.PluginName);
        Assert.Equal("2.16.1", sim.World.Instance(id).Guest!.DkmsEnaVersion);
    }

    [Fact]
    public async Task A_failing_build_reports_failure_and_leaves_the_guest_as_it_was()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        sim.World.Faults.For(id).DriverBuildFails = true;
        var before = sim.World.Instance(id).Guest!.Kernels.Select(k => k.Ena).ToList();
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-InstallDriver", InstanceIds = [id], Parameters = InstallParameters() });
        sim.Advance(TimeSpan.FromMinutes(4));
        var invocation = await Get(sim, send.Command.CommandId, id);
        Assert.Equal("Failed", invocation.Status.Value);
        Assert.Equal(1, invocation.ResponseCode);
        Assert.Contains("Bad return status for module build on kernel: 6.1.0-56-amd64", invocation.StandardErrorContent);
        var result = JsonSerializer.Deserialize<InstallResult>(invocation.StandardOutputContent.TrimEnd().Split('\n')[^1], HostReportJson.Options)!;
        Assert.Equal("failed", result.Status);
        Assert.StartsWith("build_failed:", result.Kernels!.Single().Error);
        Assert.Equal(before, sim.World.Instance(id).Guest!.Kernels.Select(k => k.Ena).ToList());
        Assert.Null(sim.World.Instance(id).Guest!.DkmsEnaVersion);
    }

    [Fact]
    public async Task Missing_headers_are_installed_when_the_distribution_has_them_and_fail_the_run_when_it_does_not()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        var guest = sim.World.Instance(id).Guest!;
        guest.Kernels.Add(new KernelInstall { Version = "6.1.0-50-amd64", Headers = false });
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-InstallDriver", InstanceIds = [id], Parameters = InstallParameters() });
        sim.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("Success", (await Get(sim, send.Command.CommandId, id)).Status.Value);
        Assert.True(guest.Find("6.1.0-50-amd64")!.Headers);
        Assert.Equal("2.16.1g", guest.Find("6.1.0-50-amd64")!.Ena?.Version);

        guest.Kernels.Add(new KernelInstall { Version = "6.1.0-40-amd64", Headers = false, HeadersAvailable = false });
        send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-InstallDriver", InstanceIds = [id], Parameters = InstallParameters("2.17.0") });
        sim.Advance(TimeSpan.FromMinutes(4));
        var failed = await Get(sim, send.Command.CommandId, id);
        Assert.Equal("Failed", failed.Status.Value);
        var result = JsonSerializer.Deserialize<InstallResult>(failed.StandardOutputContent.TrimEnd().Split('\n')[^1], HostReportJson.Options)!;
        var old = result.Kernels!.Single(k => k.Kernel == "6.1.0-40-amd64");
        Assert.Equal("failed", old.Dkms);
        Assert.StartsWith("headers_missing: kernel headers for 6.1.0-40-amd64", old.Error);
        Assert.All(result.Kernels!.Where(k => k.Kernel != "6.1.0-40-amd64"), k => Assert.Equal("skipped", k.Dkms));
        Assert.Equal("2.16.1", guest.DkmsEnaVersion);
        Assert.Null(guest.Find("6.1.0-40-amd64")!.Ena);
    }

    [Fact]
    public async Task A_kernel_the_release_cannot_build_for_fails_as_a_kernel_api_mismatch()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        sim.World.Instance(id).Guest!.Kernels.Add(new KernelInstall { Version = "6.12.0-1-amd64", Headers = true, IncompatibleDriverVersions = ["2.16.1"] });
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-InstallDriver", InstanceIds = [id], Parameters = InstallParameters() });
        sim.Advance(TimeSpan.FromMinutes(4));
        var invocation = await Get(sim, send.Command.CommandId, id);
        Assert.Equal("Failed", invocation.Status.Value);
        var result = JsonSerializer.Deserialize<InstallResult>(invocation.StandardOutputContent.TrimEnd().Split('\n')[^1], HostReportJson.Options)!;
        Assert.StartsWith("kernel_api_mismatch:", result.Kernels!.Single(k => k.Kernel == "6.12.0-1-amd64").Error);
        Assert.Contains("modpost:", result.Log);
        Assert.Null(sim.World.Instance(id).Guest!.DkmsEnaVersion);
    }

    [Fact]
    public async Task Dkms_registration_makes_the_next_kernel_update_build_the_module_when_headers_are_there()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-InstallDriver", InstanceIds = [id], Parameters = InstallParameters() });
        sim.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("Success", (await Get(sim, send.Command.CommandId, id)).Status.Value);
        var guest = sim.World.Instance(id).Guest!;
        var withHeaders = guest.InstallKernel("6.1.0-58-amd64", headers: true);
        var withoutHeaders = guest.InstallKernel("6.1.0-59-amd64", headers: false);
        Assert.Equal("2.16.1g", withHeaders.Ena?.Version);
        Assert.Null(withoutHeaders.Ena);
    }

    [Fact]
    public async Task Validation_fails_when_the_injected_device_fault_meets_ena_on()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        sim.World.Faults.For(id).ValidationFailsAfterEnaEnabled = true;
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(30));
        var invocation = await Get(sim, send.Command.CommandId, id);
        Assert.Equal("Failed", invocation.Status.Value);
        var report = JsonSerializer.Deserialize<HostReport>(invocation.StandardOutputContent, HostReportJson.Options)!;
        Assert.Equal("down", report.Interfaces!.Single().OperState);
        Assert.Contains(report.KernelLog!, l => l.Contains("Device reset failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Output_over_24000_characters_is_cut_the_way_the_agent_cuts_it()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        var guest = sim.World.Instance(id).Guest!;
        for (var n = 0; n < 400; n++)
        {
            guest.Kernels.Add(new KernelInstall { Version = $"5.10.{n}-custom-build-with-a-long-name", Headers = false });
        }
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(30));
        var invocation = await Get(sim, send.Command.CommandId, id);
        Assert.Equal(24_000, invocation.StandardOutputContent.Length);
        Assert.EndsWith("\n---Output truncated---", invocation.StandardOutputContent);

        var list = await sim.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = send.Command.CommandId, Details = true });
        var plugin = list.CommandInvocations.Single().CommandPlugins.Single();
        Assert.Equal(2_500, plugin.Output.Length);
        Assert.Equal("collectHostReport", plugin.Name);
    }

    [Fact]
    public async Task A_report_with_ena_counters_is_longer_than_a_listing_holds_as_on_a_real_host()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(30));

        var list = await sim.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = send.Command.CommandId, Details = true });
        Assert.EndsWith("\n---Output truncated---", list.CommandInvocations.Single().CommandPlugins.Single().Output);
        var report = JsonSerializer.Deserialize<HostReport>((await Get(sim, send.Command.CommandId, id)).StandardOutputContent, HostReportJson.Options)!;
        var counters = report.EthtoolStats!["eth0"];
        // Named as ena_ethtool.c names them, two queues.
        Assert.Contains("queue_1_rx_csum_unchecked", counters.Keys);
        Assert.Contains("ena_admin_q_no_completion", counters.Keys);
        Assert.InRange(counters.Count, 80, 100);
    }

    [Fact]
    public async Task The_listed_output_is_cut_the_way_the_agent_cuts_both_streams()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        sim.World.Faults.For(id).OutputOverrides["EnaRemediate-CollectHostReport"] = new string('o', 3000);
        sim.World.Faults.For(id).ErrorOverrides["EnaRemediate-CollectHostReport"] = new string('e', 3000);
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [id] });
        sim.Advance(TimeSpan.FromSeconds(30));

        var list = await sim.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = send.Command.CommandId, Details = true });
        var output = list.CommandInvocations.Single().CommandPlugins.Single().Output;
        // TruncateOutput: (2,500 - header - both markers) / 2 characters of each stream.
        const string header = "\n----------ERROR-------\n", cutOut = "\n---Output truncated---", cutErr = "\n---Error truncated----";
        var half = (2500 - header.Length - cutOut.Length - cutErr.Length) / 2;
        Assert.Equal(1215, half);
        Assert.Equal(new string('o', half) + cutOut + header + new string('e', half) + cutErr, output);
        var whole = await Get(sim, send.Command.CommandId, id);
        Assert.Equal(new string('o', 3000), whole.StandardOutputContent);
    }

    [Fact]
    public async Task Commands_can_be_listed_and_cancelled()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var ids = sim.World.Instances.Select(i => i.InstanceId).ToList();
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-InstallDriver", InstanceIds = ids, Parameters = InstallParameters() });
        Assert.Equal(3, send.Command.TargetCount);
        await sim.Ssm.CancelCommandAsync(new CancelCommandRequest { CommandId = send.Command.CommandId, InstanceIds = [ids[0]] });
        sim.Advance(TimeSpan.FromMinutes(4));
        var list = await sim.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = send.Command.CommandId });
        var byInstance = list.CommandInvocations.ToDictionary(i => i.InstanceId, i => i.Status.Value);
        Assert.Equal("Cancelled", byInstance[ids[0]]);
        Assert.Equal("Success", byInstance[ids[1]]);
        Assert.Null(sim.World.Instance(ids[0]).Guest!.DkmsEnaVersion);
        await Assert.ThrowsAsync<InvalidCommandIdException>(() =>
            sim.Ssm.CancelCommandAsync(new CancelCommandRequest { CommandId = Guid.NewGuid().ToString() }));
    }

    [Fact]
    public async Task A_stop_during_a_command_fails_the_invocation()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-InstallDriver", InstanceIds = [id], Parameters = InstallParameters() });
        sim.Advance(TimeSpan.FromSeconds(10));
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("Failed", (await Get(sim, send.Command.CommandId, id)).Status.Value);
        Assert.Null(sim.World.Instance(id).Guest!.DkmsEnaVersion);
    }

    [Fact]
    public async Task Malformed_json_and_unknown_operations_get_ssm_errors()
    {
        await using var sim = await Sim.StartAsync("healthy");
        using var http = new HttpClient();
        async Task<(System.Net.HttpStatusCode, string)> Post(string target, string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, sim.Host.Endpoint) { Content = new StringContent(body) };
            request.Headers.Add("X-Amz-Target", target);
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var (status, body) = await Post("AmazonSSM.SendCommand", "{not json");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, status);
        Assert.Contains("SerializationException", body);
        (status, body) = await Post("AmazonSSM.SendCommand", "{\"DocumentName\": 42}");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, status);
        (status, body) = await Post("AmazonSSM.DeleteEverything", "{}");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, status);
        Assert.Contains("__type", body);
    }

    private static Task<GetCommandInvocationResponse> Get(Sim sim, string commandId, string instanceId) =>
        sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = commandId, InstanceId = instanceId });
}
