using EnaRemediate.Core.Engine;
using EnaRemediate.Engine.Tests.Fakes;
using EnaRemediate.Engine.Tests.Simulated;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Chaos;

/// <summary>What one seed did and what it broke: the figures docs/RELIABILITY.md adds up.</summary>
public sealed record ChaosResult(ChaosPlan Plan, int Looks, int Crashes, int AdvanceErrors, long ApiCalls, IReadOnlyList<string> Outcomes, IReadOnlyList<string> Violations);

/// <summary>
/// Runs one <see cref="ChaosPlan"/>: the real engine through the real SDK against the simulator on
/// a test clock, with the plan's faults, crashes (a new engine on the same store, as a new process
/// or a Lambda retry would build), a second trigger for the same instances while they are being
/// remediated, and a second workflow advancing the same records at the same moment. The
/// invariants are checked after every look and at the end; a broken one is a violation, never an
/// exception, so that a long run counts them all.
/// </summary>
public static class ChaosRun
{
    private const int MaxLooks = 4000;

    public static async Task<ChaosResult> RunAsync(ChaosPlan plan)
    {
        await using var sim = await SimulatedEngine.StartAsync(plan.Scenario, plan.Instances, plan.Seed, world => Arrange(world, plan));
        var violations = new List<string>();
        var watch = new ContinuousInvariants(sim.World, sim.Store);
        var before = InvariantChecks.Snapshot(sim.World, sim.Clock.GetUtcNow());
        var instanceIds = sim.InstanceIds;
        var chance = new Random(plan.Seed * 7919);
        var primary = sim.NewService();
        var secondary = sim.NewService();
        var remediationIds = new List<string>();
        remediationIds.AddRange((await primary.StartAsync(Request(instanceIds, plan.Force, "chaos"))).RemediationIds);

        var (looks, crashes, errors) = (0, 0, 0);
        var secondTriggerAt = plan.SecondTriggerAtLook;
        for (; looks < MaxLooks; looks++)
        {
            if (plan.BurstsAtLook.TryGetValue(looks, out var burst))
            {
                sim.World.Faults.InjectServerErrors(burst.Count, burst.Action);
            }
            if (looks == secondTriggerAt)
            {
                // The same alarm again, or an operator's run, while the first remediation is under way;
                // a trigger that fails (a 503 burst) is delivered again at the next look, as Lambda retries it.
                try
                {
                    remediationIds.AddRange((await secondary.StartAsync(Request(instanceIds, plan.Force, "chaos-second"))).RemediationIds);
                }
                catch (Exception) when (looks < MaxLooks - 1)
                {
                    errors++;
                    secondTriggerAt++;
                }
            }
            var service = plan.CrashAtLook.TryGetValue(looks, out var crashAt) ? Crashing(sim, new CrashSwitch(crashAt)) : primary;
            AdvanceResult result;
            try
            {
                result = chance.NextDouble() < plan.ConcurrentWorkflowShare
                    ? (await Task.WhenAll(service.AdvanceAsync(remediationIds), secondary.AdvanceAsync(remediationIds)))[0]
                    : await service.AdvanceAsync(remediationIds);
            }
            catch (SimulatedCrash)
            {
                crashes++;
                continue;
            }
            catch (Exception)
            {
                // A Lambda invocation that failed: Step Functions retries it a little later.
                errors++;
                sim.Clock.Advance(TimeSpan.FromSeconds(5));
                continue;
            }
            violations.AddRange(await watch.CheckAsync(sim.Clock.GetUtcNow()));
            if (result.Done && looks >= secondTriggerAt)
            {
                break;
            }
            sim.Clock.Advance(TimeSpan.FromSeconds(Math.Max(1, result.WaitSeconds)));
        }

        var final = await primary.AdvanceAsync(remediationIds);
        if (looks >= MaxLooks)
        {
            violations.Add($"the remediation did not finish within {MaxLooks} looks");
        }
        violations.AddRange(await FinalViolationsAsync(sim, before, final, instanceIds));
        violations.AddRange(watch.FinalViolations());
        var outcomes = final.Records.Select(r => $"{r.InstanceId}:{r.Outcome ?? "unfinished"}").ToList();
        return new ChaosResult(plan, looks, crashes, errors, sim.World.Counters.Total, outcomes, violations);
    }

    private static RemediationRequest Request(IReadOnlyList<string> ids, bool force, string trigger) =>
        new(ids, RemediationMode.Remediate, DryRun: false, trigger, null) { Force = force };

    private static RemediationService Crashing(SimulatedEngine sim, CrashSwitch crash) =>
        sim.NewService(e => new CrashingEc2(e, crash), s => new CrashingSsm(s, crash), s => new CrashingStore(s, crash));

    private static void Arrange(SimulatedWorld world, ChaosPlan plan)
    {
        var instances = world.Instances;
        for (var i = 0; i < instances.Count && i < plan.InstanceFaults.Count; i++)
        {
            var drawn = plan.InstanceFaults[i];
            var faults = world.Faults.For(instances[i].InstanceId);
            faults.StuckStopping |= drawn.StuckStopping;
            faults.InsufficientCapacityStarts += drawn.InsufficientCapacityStarts;
            faults.SsmAgentNeverOnline |= drawn.SsmAgentNeverOnline;
            faults.DriverBuildFails |= drawn.DriverBuildFails;
            faults.ValidationFailsAfterEnaEnabled |= drawn.ValidationFailsAfterEnaEnabled;
            faults.SystemCheckImpaired |= drawn.SystemCheckImpaired;
            foreach (var (document, output) in drawn.Outputs)
            {
                faults.OutputOverrides[document] = output;
            }
        }
    }

    /// <summary>The end-of-run invariants of <see cref="InvariantChecks"/>, each broken one as a violation.</summary>
    private static async Task<List<string>> FinalViolationsAsync(SimulatedEngine sim, IReadOnlyDictionary<string, InvariantChecks.Found> before, AdvanceResult final, IReadOnlyList<string> instanceIds)
    {
        var violations = new List<string>();
        var now = sim.Clock.GetUtcNow();
        await Collect(violations, () => { InvariantChecks.AssertNeverWorse(sim.World, sim.Store, now, before, final); return Task.CompletedTask; });
        await Collect(violations, () => InvariantChecks.AssertActedOnlyOnObservedBrokenAsync(sim.Store, instanceIds));
        await Collect(violations, () => InvariantChecks.AssertNoOverlappingHostCommandsAsync(sim.Host.Endpoint));
        foreach (var record in final.Records.Where(r => r.Outcome == Core.Plans.Outcomes.Recovered))
        {
            if (sim.World.Instance(record.InstanceId).BoundNetworkDriver(now) != "ena")
            {
                violations.Add($"{record.InstanceId}: recorded recovered but ena is not the bound driver");
            }
        }
        return violations;
    }

    private static async Task Collect(List<string> violations, Func<Task> check)
    {
        try
        {
            await check();
        }
        catch (Xunit.Sdk.XunitException e)
        {
            violations.Add(e.Message.ReplaceLineEndings(" "));
        }
    }
}
