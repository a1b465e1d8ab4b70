using System.Text.Json.Nodes;
using EnaRemediate.Functions.Handlers;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>
/// A batch whose Advance keeps failing: its records get the error in their history, the batch
/// ends failed without stopping the Map, and the summary turns the run into a failed workflow
/// (the failure notification and event, the WorkflowFailed alarm), leaving the records for the sweep.
/// </summary>
public sealed class FanOutFailureTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    [Fact]
    public async Task A_batch_that_fails_is_recorded_and_the_summary_fails_the_workflow_with_what_is_unfinished()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");
        deployment.FailWhen = (handler, payload) => handler == "advance" && payload["workflowError"] is null && payload["summarise"] is null;
        var alarm = JsonNode.Parse(Fixtures.Event("eventbridge-instance-check-alarm.json").Replace("i-0123456789abcdef0", id))!;

        var run = await deployment.Workflow().RunAsync(alarm);

        Assert.Equal(("FAILED", "RemediationWorkflowFailed"), (run.Status, run.Error));
        Assert.Equal(["Route", "Intake", "NotifyStart", "HasWork", "FanOut", "Summarise", "AllFinished", "NotifyFailure", "PublishFailed", "Failed"], run.Visited);
        var batch = Assert.Single(run.Batches);
        Assert.Equal(["Advance", "RecordFailure", "BatchFailed"], batch.Visited);
        Assert.Equal("BatchFailed", batch.Error);
        var failure = run.SnsMessages[^1];
        Assert.Equal("EnaRemediate: workflow failed", failure["Subject"]!.GetValue<string>());
        Assert.Contains("RemediationUnfinished", failure["Message"]!.GetValue<string>());
        Assert.Contains("1 of 1 records have no outcome", failure["Message"]!.GetValue<string>());
        Assert.Equal("EnaRemediate Workflow Failed", run.Events.Single()["DetailType"]!.GetValue<string>());

        var record = (await deployment.Services.Store.GetLatestAsync(id))!;
        Assert.False(record.IsFinished);
        Assert.Contains(record.History, h => h.Event.StartsWith("workflow stopped: Lambda.Unknown: advance crashed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_summary_of_records_it_does_not_know_says_so_and_takes_no_step()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var before = deployment.Sim.World.Counters.Total;

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("advance"), JsonNode.Parse("""{"remediationIds":["nobody-1","nobody-2"],"summarise":true}""")!);

        Assert.True(answer["done"]!.GetValue<bool>());
        Assert.Null(answer["error"]);
        Assert.NotNull(answer["notification"]);
        Assert.Equal(before, deployment.Sim.World.Counters.Total);
    }

    [Fact]
    public async Task A_step_larger_than_one_batch_is_refused_but_a_summary_of_the_whole_workflow_is_not()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var ids = new JsonArray(Enumerable.Range(0, AdvanceHandler.MaxPerStep + 1).Select(i => (JsonNode)$"rem-{i}").ToArray());

        var refused = await Assert.ThrowsAsync<LocalStateMachine.TaskFailure>(() =>
            deployment.InvokeAsync(Deployment.FunctionArn("advance"), new JsonObject { ["remediationIds"] = ids.DeepClone() }));
        Assert.Equal(nameof(InvalidRequestException), refused.Error);
        Assert.Contains("per step", refused.Message);

        var summary = await deployment.InvokeAsync(Deployment.FunctionArn("advance"), new JsonObject { ["remediationIds"] = ids.DeepClone(), ["summarise"] = true });
        Assert.True(summary["done"]!.GetValue<bool>());
    }
}
