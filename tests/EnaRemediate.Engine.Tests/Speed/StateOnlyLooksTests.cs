using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: most of a fallback waits on the instance's state (a stop, a start, the agent, the
/// checks), which DescribeInstanceStatus gives with the checks; the description (DescribeInstances,
/// several kilobytes an instance) is read only for the steps that decide from it (enaSupport's
/// change and check) — and for a record that moves on to one of those within a look, in that same
/// look, so that a stop seen finished is followed by its attribute change without waiting a look.
/// Real SDK against the simulator.
/// </summary>
public sealed class StateOnlyLooksTests
{
    /// <summary>The fallback's steps that read the description: the initial look and the two enaSupport changes.</summary>
    private static readonly HashSet<string> Describing = new(StringComparer.Ordinal) { RemediationRecord.InitialStep, "ena-off", "ena-on", "rollback" };

    [Fact]
    public async Task LooksAtStateOnlyStepsDescribeNothingAndAStopSeenFinishedChangesEnaSupportInTheSameLook()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 12);
        var ids = (await sim.Service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null))).RemediationIds;
        var stateOnlyLooks = 0;
        AdvanceResult result;
        for (var look = 0; ; look++)
        {
            Assert.True(look < 3000, "the fleet did not finish");
            var before = await RecordsAsync(sim, ids);
            var descriptions = sim.World.Counters["DescribeInstances"];
            result = await sim.Service.AdvanceAsync(ids);
            var after = await RecordsAsync(sim, ids);
            // A look that passed a record through a step that reads the description (a stop, then enaSupport's change, then the start) may describe.
            var passedThrough = before.Zip(after, (b, a) => a.History.Skip(b.History.Count).Select(h => h.Step)).SelectMany(steps => steps);
            if (before.Concat(after).All(r => r.IsFinished || !Describing.Contains(r.Step)) && !passedThrough.Any(Describing.Contains))
            {
                stateOnlyLooks++;
                Assert.True(descriptions == sim.World.Counters["DescribeInstances"],
                    $"look {look} described instances while every record was in {string.Join(", ", before.Select(r => r.Step).Distinct())}");
            }
            if (result.Done)
            {
                break;
            }
            sim.Clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }

        Assert.True(stateOnlyLooks >= 10, $"only {stateOnlyLooks} looks had every record in a state-only step: the test shows nothing");
        Assert.True(sim.World.Counters["DescribeInstances"] < sim.World.Counters["DescribeInstanceStatus"],
            $"{sim.World.Counters["DescribeInstances"]} descriptions against {sim.World.Counters["DescribeInstanceStatus"]} status reads");
        foreach (var record in await RecordsAsync(sim, ids))
        {
            Assert.True(record.Outcome == Outcomes.Recovered, $"{record.InstanceId}: {record.Outcome}: {record.OutcomeReason}");
            foreach (var (stop, change) in new[] { ("stop", "ena-off"), ("stop-for-ena", "ena-on") })
            {
                var stopped = record.History.First(h => h.Step == stop && h.Event == "stopped").At;
                var changed = record.History.First(h => h.Step == change && h.Event.StartsWith("setting enaSupport", StringComparison.Ordinal)).At;
                Assert.True(stopped == changed, $"{record.InstanceId}: {stop} seen finished at {stopped:HH:mm:ss}, {change} decided at {changed:HH:mm:ss}");
            }
        }
    }

    private static async Task<IReadOnlyList<RemediationRecord>> RecordsAsync(SimulatedEngine sim, IReadOnlyList<string> ids) =>
        await Task.WhenAll(ids.Select(async id => (await sim.Store.GetAsync(id))!));
}
