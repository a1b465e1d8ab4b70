using System.Text.Json.Nodes;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>
/// An alarm at 3 a.m., end to end: the EventBridge event into the workflow (our ASL, run locally),
/// intake, the Advance/Wait loop on the simulator's clock, the notification at the end, and the
/// instance back with ENA on.
/// </summary>
public sealed class WorkflowOnSimulatorTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    private static JsonNode AlarmFor(string instanceId, string fixture = "eventbridge-instance-check-alarm.json") =>
        JsonNode.Parse(Fixtures.Event(fixture).Replace("i-0123456789abcdef0", instanceId))!;

    [Fact]
    public async Task A_status_check_alarm_runs_the_workflow_until_the_instance_is_recovered()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");
        Assert.Equal(("impaired", true), await deployment.InstanceAsync(id));

        var run = await deployment.Workflow().RunAsync(AlarmFor(id));

        Assert.True(run.Status == "SUCCEEDED", $"{run.Status} {run.Error} {run.Cause} via {string.Join(" > ", run.Visited)}");
        Assert.Equal(["Route", "Intake", "NotifyStart", "HasWork", "FanOut", "Summarise", "AllFinished", "Notify", "Finished"], run.Visited);
        var batch = Assert.Single(run.Batches);
        Assert.Equal(["Advance", "IsDone", "WaitForNextLook", "Advance"], batch.Visited.Take(4));
        Assert.Equal(["PublishFinished", "BatchFinished"], batch.Visited.TakeLast(2));
        Assert.True(run.Elapsed > TimeSpan.FromMinutes(5), $"the loop took only {run.Elapsed} of simulated time");

        Assert.Equal(2, run.SnsMessages.Count);
        var started = PublishedNotification.From(run.SnsMessages[0]);
        Assert.Equal($"EnaRemediate: {id} started", started.Subject);
        Assert.Contains($"{id}: started (fallback)", started.Text);
        Assert.Contains("What it will do: EBS-backed", started.Text);
        var finished = PublishedNotification.From(run.SnsMessages[1]);
        Assert.Equal($"EnaRemediate: {id} recovered", finished.Subject);
        Assert.Contains("What was wrong:", finished.Text);
        Assert.Contains("installed through DKMS", finished.Text);
        Assert.Contains($"enaremediate history {id}-", finished.Text);
        Assert.Contains($"--store dynamodb:{deployment.Services.Settings.TableName}", finished.Text);
        Assert.Equal("recovered", finished.Instance(id)["outcome"]!.GetValue<string>());
        Assert.Equal("EnaRemediate Remediation Finished", run.Events.Single()["DetailType"]!.GetValue<string>());

        Assert.Equal(("ok", true), await deployment.InstanceAsync(id));
        var stored = await deployment.Services.Store.GetLatestAsync(id);
        Assert.Equal("recovered", stored!.Outcome);
        Assert.Equal("alarm", stored.Trigger);
        Assert.NotEmpty(stored.History);
    }

    [Fact]
    public async Task An_alarm_back_to_OK_ends_the_workflow_with_nothing_to_do_and_no_record()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");

        var run = await deployment.Workflow().RunAsync(AlarmFor(id, "eventbridge-back-to-ok.json"));

        Assert.Equal("SUCCEEDED", run.Status);
        Assert.Equal(["Route", "Intake", "NotifyStart", "HasWork", "NothingToDo"], run.Visited);
        Assert.Contains("ignored", PublishedNotification.From(run.SnsMessages.Single()).Subject);
        Assert.Null(await deployment.Services.Store.GetLatestAsync(id));
        Assert.Equal(("impaired", true), await deployment.InstanceAsync(id));
    }

    [Fact]
    public async Task A_malformed_runbook_payload_fails_the_workflow_as_InvalidRequest_without_touching_anything()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var payload = JsonNode.Parse("""{"source":"enaremediate.runbook","instanceIds":"i-123; reboot","mode":"remediate","dryRun":"false"}""")!;

        var run = await deployment.Workflow().RunAsync(payload);

        Assert.Equal(("FAILED", "InvalidRequest"), (run.Status, run.Error));
        Assert.Equal(0, deployment.Sim.World.Counters.Total);
        Assert.Equal(["Route", "Intake", "Rejected"], run.Visited);
        Assert.Empty(await deployment.Services.Store.ListUnfinishedAsync());
    }

    [Fact]
    public async Task A_dry_run_from_the_runbook_ends_at_once_with_the_planned_calls_in_the_output_and_nothing_changed()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");
        var payload = JsonNode.Parse(Fixtures.Event("runbook-payload.json").Replace("i-0123456789abcdef0, i-0abcdef1234567890", id).Replace("\"diagnose\"", "\"remediate\"").Replace("\"dryRun\": \"false\"", "\"dryRun\": \"true\""))!;

        var run = await deployment.Workflow().RunAsync(payload);

        Assert.Equal("SUCCEEDED", run.Status);
        Assert.Equal(["Route", "Intake", "NotifyStart", "HasWork", "NothingToDo"], run.Visited);
        var notified = PublishedNotification.From(run.SnsMessages.Single());
        Assert.Equal($"EnaRemediate: {id} dry-run", notified.Subject);
        Assert.Contains("nothing to run", notified.Text);
        var instance = run.Output!["instances"]!.AsArray().Single()!;
        Assert.Equal("dry-run", instance["outcome"]!.GetValue<string>());
        Assert.Contains(instance["plannedCalls"]!.AsArray(), c => c!.GetValue<string>().StartsWith("StopInstances", StringComparison.Ordinal));
        Assert.Equal(("impaired", true), await deployment.InstanceAsync(id));
        Assert.Equal("runbook", (await deployment.Services.Store.GetLatestAsync(id))!.Trigger);
    }

    [Fact]
    public async Task An_sns_wrapped_alarm_through_intake_and_its_destination_resumes_at_Advance()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");
        var sns = Fixtures.Event("sns-wrapped-alarm.json").Replace("i-00000000deadbeef1", id);

        // SNS invokes intake asynchronously; Lambda's success destination puts the answer on EventBridge,
        // whose rule starts the workflow with InputPath $.detail.responsePayload: the answer itself.
        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("intake"), JsonNode.Parse(sns)!);
        Assert.Equal("started", answer["outcome"]!.GetValue<string>());
        var run = await deployment.Workflow().RunAsync(answer);

        Assert.Equal("SUCCEEDED", run.Status);
        Assert.Equal(["Route", "AnnounceStart", "NotifyStart", "HasWork", "FanOut"], run.Visited.Take(5));
        Assert.Equal(["started", "recovered"], run.SnsMessages.Select(m => PublishedNotification.From(m).Json["instances"]![0]!["outcome"]!.GetValue<string>()));
        Assert.Equal(("ok", true), await deployment.InstanceAsync(id));
    }

    [Fact]
    public async Task A_refusal_handed_over_by_intakes_destination_is_notified_and_ends_the_workflow()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");
        await deployment.InvokeAsync(Deployment.FunctionArn("intake"), AlarmFor(id));
        var second = await deployment.InvokeAsync(Deployment.FunctionArn("intake"), AlarmFor(id));
        Assert.Equal("nothing-to-run", second["outcome"]!.GetValue<string>());

        // The destination rule passes nothing-to-run too, so the operator hears about the refusal.
        var run = await deployment.Workflow().RunAsync(second);

        Assert.Equal(["Route", "AnnounceStart", "NotifyStart", "HasWork", "NothingToDo"], run.Visited);
        var notified = PublishedNotification.From(run.SnsMessages.Single());
        Assert.Equal($"EnaRemediate: {id} refused", notified.Subject);
        Assert.Contains("refused (already-remediating), nothing changed", notified.Text);
        Assert.Contains("Already being remediated", notified.Text);
    }

    [Fact]
    public async Task A_second_alarm_while_one_remediation_runs_starts_nothing_new()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");
        var first = await deployment.InvokeAsync(Deployment.FunctionArn("intake"), AlarmFor(id));
        var second = await deployment.InvokeAsync(Deployment.FunctionArn("intake"), AlarmFor(id));

        Assert.Single(first["remediationIds"]!.AsArray());
        Assert.Empty(second["remediationIds"]!.AsArray());
        Assert.Equal("nothing-to-run", second["outcome"]!.GetValue<string>());
        Assert.Contains("Already being remediated", second["instances"]![0]!["reason"]!.GetValue<string>());
    }
}
