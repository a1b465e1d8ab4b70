using System.Text.Json.Nodes;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>
/// A kernel update broke a fleet: one scheduled sweep takes every impaired instance into one
/// workflow, whose Distributed Map advances them in batches at once (each batch a child
/// execution, each concurrent Advance its own Lambda environment) until all are recovered, in
/// one pass and with one notification. The 1,000-instance run, next to the CLI's time, is
/// `bench fleet-workflow` (bench/RESULTS.md); this one stays small enough for CI.
/// </summary>
public sealed class FleetSweepWorkflowTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    private const int Fleet = 150;

    [Fact]
    public async Task One_sweep_recovers_a_whole_impaired_fleet_in_one_pass_through_concurrent_batches_that_share_one_rate_budget()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update", instances: Fleet);
        var fleet = deployment.Sim.World.Instances.Select(i => i.InstanceId).ToList();
        Assert.Equal(Fleet, fleet.Count);

        var run = await deployment.Workflow().RunAsync(JsonNode.Parse("""{"source":"enaremediate.sweep"}""")!);

        Assert.True(run.Status == "SUCCEEDED", $"{run.Status} {run.Error} {run.Cause} via {string.Join(" > ", run.Visited)}");
        Assert.Equal(["Route", "Sweep", "HasWork", "FanOut", "Summarise", "AllFinished", "Notify", "Finished"], run.Visited);
        Assert.Equal(2, run.Events.Count(e => e["DetailType"]!.GetValue<string>() == "EnaRemediate Remediation Finished"));
        await OnePassRecovery.AssertAsync(run, deployment, fleet, batches: 2, trigger: "sweep");

        // One notification for the whole fleet, at the end.
        var finished = PublishedNotification.From(run.SnsMessages.Single());
        Assert.Contains($"{Fleet}", finished.Subject);
        Assert.Contains("recovered", finished.Subject);

        // Every environment took EC2's tokens from the table's shared buckets, not from its own process.
        await SharedRateBudget.AssertTakenRepeatedlyAsync(dynalite, deployment);
        Assert.Equal(0, deployment.Sim.World.Counters.Throttled);

        var again = await deployment.Workflow().RunAsync(JsonNode.Parse("""{"source":"enaremediate.sweep"}""")!);
        Assert.Equal(["Route", "Sweep", "HasWork", "NothingToDo"], again.Visited);
    }
}
