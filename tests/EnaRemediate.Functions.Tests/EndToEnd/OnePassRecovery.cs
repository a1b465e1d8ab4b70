using EnaRemediate.Core.Plans;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>
/// What a fan-out run that took a whole fleet in one pass shows, whatever started it (a sweep, a
/// runbook): every batch ended with its own event, every record was in one of them, the batches
/// ran at once, and every instance is recovered under the trigger that started it.
/// </summary>
public static class OnePassRecovery
{
    public static async Task AssertAsync(LocalStateMachine.Outcome run, Deployment deployment, IReadOnlyList<string> fleet, int batches, string trigger, string? triggerDetail = null)
    {
        // Batches of the Map's MaxItemsPerBatch (100), every one ending with its own event.
        Assert.Equal(batches, run.Batches.Count);
        Assert.All(run.Batches, b => Assert.Equal(("SUCCEEDED", "BatchFinished"), (b.Status, b.Visited[^1])));
        Assert.Equal(fleet.Count, run.Events.Sum(e => e["Detail"]!["records"]!.AsArray().Count));
        // The batches ran at once: their Advances needed Lambda environments of their own.
        Assert.True(deployment.EnvironmentsOf("advance") > 1, $"{deployment.EnvironmentsOf("advance")} advance environment(s)");

        foreach (var id in fleet)
        {
            var record = await deployment.Services.Store.GetLatestAsync(id);
            Assert.Equal((Outcomes.Recovered, trigger), (record!.Outcome, record.Trigger));
            if (triggerDetail is not null)
            {
                Assert.Equal(triggerDetail, record.TriggerDetail);
            }
        }
        Assert.All(await Task.WhenAll(fleet.Take(10).Select(deployment.InstanceAsync)), state => Assert.Equal(("ok", true), state));
    }
}
