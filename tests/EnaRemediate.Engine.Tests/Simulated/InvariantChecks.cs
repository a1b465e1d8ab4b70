using Amazon.Runtime;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Simulated;

/// <summary>
/// The safety invariants every remediation on the simulator must keep, on public types only
/// (the world, the store, the endpoint) so that any harness, such as issue 11's chaos suite, can
/// run them after a run: never worse than found; ENA on only where the driver validated; every
/// record ends with an outcome; only instances observed broken are changed unless forced; never
/// two host commands of one document at once on one instance.
/// </summary>
public static class InvariantChecks
{
    /// <summary>What each instance looked like before a run.</summary>
    public sealed record Found(bool Reachable, string State, bool EnaSupport);

    public static IReadOnlyDictionary<string, Found> Snapshot(SimulatedWorld world, DateTimeOffset now) =>
        world.Instances.ToDictionary(i => i.InstanceId, i => new Found(i.IsReachable(now), i.State, i.EnaSupport));

    internal static void AssertNeverWorse(SimulatedEngine sim, IReadOnlyDictionary<string, (bool Reachable, string State, bool EnaSupport)> before, AdvanceResult result) =>
        AssertNeverWorse(sim.World, sim.Store, sim.Clock.GetUtcNow(), before.ToDictionary(b => b.Key, b => new Found(b.Value.Reachable, b.Value.State, b.Value.EnaSupport)), result);

    public static void AssertNeverWorse(SimulatedWorld world, IRemediationStore store, DateTimeOffset now, IReadOnlyDictionary<string, Found> before, AdvanceResult result)
    {
        var records = store.ListUnfinishedAsync().GetAwaiter().GetResult();
        Assert.Empty(records);
        // An instance may have had several remediations one after another (a later trigger after the
        // first finished): the newest one says how it was left.
        var outcomes = result.Records.GroupBy(r => r.InstanceId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.CreatedAt)!);
        // Instances the run launched (rescues) were not found: the leak checks judge those.
        foreach (var instance in world.Instances.Where(i => before.ContainsKey(i.InstanceId)))
        {
            var found = before[instance.InstanceId];
            var after = (Reachable: instance.IsReachable(now), instance.State, instance.EnaSupport);
            var outcome = outcomes.TryGetValue(instance.InstanceId, out var r) ? r.Outcome : null;
            var label = $"{instance.InstanceId} {outcome}: {r?.OutcomeReason}";
            Assert.True(!found.Reachable || after.Reachable || found.State != "running", $"{label}: was reachable, now is not");
            Assert.True(found.State == after.State || (found.State == "pending" && after.State == "running"), $"{label}: found {found.State}, left {after.State}");
            if (after.EnaSupport && !found.EnaSupport)
            {
                Assert.Equal(Outcomes.Recovered, outcome);
            }
            if (outcome == Outcomes.Recovered)
            {
                Assert.True(after.EnaSupport, $"{label}: recovered but ENA off");
            }
            // A rollback reaches the network where ENA can be off (fallback); an ENA-required type
            // without a working driver has no reachable state, so there it may only be no worse than found.
            var rollbackCanReach = instance.Type.EnaSupport != InstanceTypeInfo.Required;
            if ((outcome == Outcomes.Recovered || (outcome == Outcomes.RolledBack && rollbackCanReach)) && found.State == "running")
            {
                Assert.True(after.Reachable, $"{label}: ended unreachable");
            }
        }
    }

    /// <summary>No record of a plan that acted was started on an instance found healthy unless it was forced.</summary>
    public static async Task AssertActedOnlyOnObservedBrokenAsync(IRemediationStore store, IEnumerable<string> instanceIds)
    {
        foreach (var id in instanceIds)
        {
            foreach (var record in await store.HistoryAsync(id))
            {
                if (record.UndoLog.Count > 0 && record.Memo.GetValueOrDefault(MemoKeys.FoundHealthy) == "true")
                {
                    Assert.True(record.Memo.GetValueOrDefault(MemoKeys.Forced) == "true", $"{record.RemediationId} changed {id}, found healthy, without being forced");
                }
            }
        }
    }

    /// <summary>
    /// Read over the wire (ListCommandInvocations with details, as an operator would): on each
    /// instance, no invocation of a document started before the previous one of it had finished.
    /// </summary>
    /// <param name="instances">the instances to judge (null: all). A shared rescue instance repairs several volumes, and
    /// the offline-repair script's host lock runs them one after another there, which the simulator does not model.</param>
    public static async Task AssertNoOverlappingHostCommandsAsync(Uri endpoint, IReadOnlySet<string>? instances = null)
    {
        var (_, ssm) = EngineFactory.CreateClients(new AwsConnection("us-east-1", endpoint.ToString(), new BasicAWSCredentials("test", "test")));
        var runs = new List<(string Instance, string Document, DateTime Start, DateTime End)>();
        string? next = null;
        do
        {
            var page = await ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { Details = true, NextToken = next });
            foreach (var invocation in page.CommandInvocations ?? [])
            {
                var plugin = invocation.CommandPlugins?.FirstOrDefault();
                if (plugin?.ResponseStartDateTime is { } start)
                {
                    runs.Add((invocation.InstanceId, invocation.DocumentName, start, plugin.ResponseFinishDateTime ?? DateTime.MaxValue));
                }
            }
            next = page.NextToken;
        }
        while (!string.IsNullOrEmpty(next));
        foreach (var group in runs.Where(r => instances is null || instances.Contains(r.Instance)).GroupBy(r => (r.Instance, r.Document)))
        {
            var ordered = group.OrderBy(r => r.Start).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].Start >= ordered[i - 1].End, $"{group.Key.Document} ran twice at once on {group.Key.Instance} ({ordered[i - 1].Start:O}-{ordered[i - 1].End:O} and from {ordered[i].Start:O})");
            }
        }
    }

    internal static Task AssertNoOverlappingHostCommandsAsync(SimulatedEngine sim) => AssertNoOverlappingHostCommandsAsync(sim.Host.Endpoint);
}
