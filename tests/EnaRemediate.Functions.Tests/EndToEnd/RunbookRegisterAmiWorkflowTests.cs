using System.Text.Json.Nodes;
using Amazon.EC2.Model;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>
/// The EnaRemediate-Recover runbook with Mode register-ami, end to end: its payload into the
/// workflow (our ASL, run locally), the RegisterAmi task, the Advance/Wait loop on the simulator's
/// clock, and an ENA-disabled image at the end, with the instance-store instance never stopped,
/// rebooted or terminated (docs/instance-store.md).
/// </summary>
public sealed class RunbookRegisterAmiWorkflowTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    private const string AutomationExecutionId = "4105a4fc-f944-11e6-9d32-0123456789ab";

    /// <summary>What the runbook's StartWorkflow step renders (its Boolean parameters arrive as "true"/"false").</summary>
    private static JsonNode RunbookPayload(string instanceId, string dryRun = "false", string launchReplacement = "false") => new JsonObject
    {
        ["source"] = "enaremediate.runbook",
        ["instanceIds"] = instanceId,
        ["mode"] = "register-ami",
        ["dryRun"] = dryRun,
        ["launchReplacement"] = launchReplacement,
        ["automationExecutionId"] = AutomationExecutionId,
    };

    [Fact]
    public async Task Mode_register_ami_registers_an_ena_disabled_image_and_never_stops_the_instance_store_instance()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "instance-store");
        var id = deployment.InstanceOfGroup("batch");

        var run = await deployment.Workflow().RunAsync(RunbookPayload(id));

        Assert.True(run.Status == "SUCCEEDED", $"{run.Status} {run.Error} {run.Cause} via {string.Join(" > ", run.Visited)}");
        Assert.Equal(["Route", "RegisterAmi", "HasWork", "FanOut"], run.Visited.Take(4));
        Assert.DoesNotContain("Intake", run.Visited);
        Assert.Equal(["Summarise", "AllFinished", "Notify", "Finished"], run.Visited.TakeLast(4));
        var notified = PublishedNotification.From(run.SnsMessages.Single());
        Assert.Equal(Outcomes.AmiRegistered, notified.Instance(id)["outcome"]!.GetValue<string>());
        Assert.Contains("with EnaSupport off (deregister it when no longer wanted)", notified.Text);

        var record = (await deployment.Services.Store.GetLatestAsync(id))!;
        Assert.True(record.Outcome == Outcomes.AmiRegistered, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.Equal(("reregister-ami", "runbook", AutomationExecutionId), (record.Plan, record.Trigger, record.TriggerDetail));
        var image = (await deployment.Ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [record.Memo[AmiMemo.NewImageId]] })).Images.Single();
        Assert.False(image.EnaSupport ?? true, "the new image must have EnaSupport=false");

        var counters = deployment.Sim.World.Counters;
        Assert.Equal((0L, 0L, 0L), (counters["StopInstances", id], counters["RebootInstances", id], counters["TerminateInstances", id]));
        Assert.Equal((1L, 0L), (counters["RegisterImage"], counters["RunInstances"]));
    }

    [Fact]
    public async Task Mode_register_ami_refuses_an_ebs_backed_instance_and_changes_nothing()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");

        var run = await deployment.Workflow().RunAsync(RunbookPayload(id));

        Assert.Equal("SUCCEEDED", run.Status);
        Assert.Equal(["Route", "RegisterAmi", "HasWork", "NothingToDo"], run.Visited);
        var instance = run.Output!["instances"]!.AsArray().Single()!;
        Assert.Equal("refused", instance["outcome"]!.GetValue<string>());
        Assert.Contains("EBS-backed", instance["reason"]!.GetValue<string>());
        var counters = deployment.Sim.World.Counters;
        Assert.Equal(0L, counters["StopInstances"] + counters["RegisterImage"] + counters["RunInstances"]);
        Assert.Equal(("impaired", true), await deployment.InstanceAsync(id));
    }

    [Fact]
    public async Task A_launchReplacement_that_is_not_a_boolean_fails_the_workflow_as_InvalidRequest_without_touching_anything()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "instance-store");
        var id = deployment.InstanceOfGroup("batch");

        var run = await deployment.Workflow().RunAsync(RunbookPayload(id, launchReplacement: "$(reboot)"));

        Assert.Equal(("FAILED", "InvalidRequest"), (run.Status, run.Error));
        Assert.Equal(["Route", "RegisterAmi", "Rejected"], run.Visited);
        Assert.Equal(0L, deployment.Sim.World.Counters["RegisterImage"] + deployment.Sim.World.Counters["RebootInstances", id]);
        Assert.Empty(await deployment.Services.Store.ListUnfinishedAsync());
    }
}
