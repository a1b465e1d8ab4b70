using EnaRemediate.Functions.Intake;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>
/// An operator names a whole broken fleet in one runbook call: the input the runbook's
/// StartWorkflow step sends goes through intake into the same Distributed Map as a sweep, every
/// batch at once on one shared rate budget, and every instance is recovered in that one pass,
/// with one notification at the start and one at the end. 250 is above the old cap of 200 and
/// makes three batches; the 1,000-instance run, next to the CLI's time, is
/// `bench fleet-workflow --trigger runbook` (bench/RESULTS.md).
/// </summary>
public sealed class RunbookFleetWorkflowTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    private const int Fleet = 250;

    [Fact]
    public async Task One_runbook_call_naming_250_impaired_instances_recovers_them_all_in_one_pass_through_the_fan_out()
    {
        Assert.True(Fleet > 200 && Fleet <= InstanceIds.MaxPerRequest);
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update", instances: Fleet);
        var fleet = deployment.Sim.World.Instances.Select(i => i.InstanceId).ToList();
        Assert.Equal(Fleet, fleet.Count);

        var run = await deployment.Workflow().RunAsync(RunbookInput.Render(fleet));

        Assert.True(run.Status == "SUCCEEDED", $"{run.Status} {run.Error} {run.Cause} via {string.Join(" > ", run.Visited)}");
        Assert.Equal(["Route", "Intake", "NotifyStart", "HasWork", "FanOut", "Summarise", "AllFinished", "Notify", "Finished"], run.Visited);
        Assert.Equal(1, deployment.Invocations.Count(i => i == "intake"));
        await OnePassRecovery.AssertAsync(run, deployment, fleet, batches: 3, trigger: "runbook", triggerDetail: RunbookInput.ExecutionId);

        Assert.Equal(2, run.SnsMessages.Count);
        var started = PublishedNotification.From(run.SnsMessages[0]);
        Assert.Contains($"{Fleet} instances: {Fleet} started", started.Subject);
        var finished = PublishedNotification.From(run.SnsMessages[1]);
        Assert.Contains($"{Fleet} instances: {Fleet} recovered", finished.Subject);

        await SharedRateBudget.AssertTakenRepeatedlyAsync(dynalite, deployment);
        Assert.Equal(0, deployment.Sim.World.Counters.Throttled);
    }
}
