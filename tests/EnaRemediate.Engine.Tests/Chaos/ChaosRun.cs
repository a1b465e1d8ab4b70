using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Engine.Tests.Nitro;
using EnaRemediate.Engine.Tests.Fakes;
using EnaRemediate.Engine.Tests.Simulated;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Chaos;

/// <summary>What one seed did and what it broke: the figures docs/RELIABILITY.md adds up.</summary>
public sealed record ChaosResult(ChaosPlan Plan, int Looks, int Crashes, int AdvanceErrors, long ApiCalls, IReadOnlyList<string> Outcomes, IReadOnlyList<string> Violations)
{
    /// <summary>The step history of every record of an instance a violation names: what a replay needs to see first.</summary>
    public IReadOnlyList<string> Trace { get; init; } = [];
}

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
        var watch = new ContinuousInvariants(sim.World, sim.Store, sim.Clock);
        var before = InvariantChecks.Snapshot(sim.World, sim.Clock.GetUtcNow());
        var instanceIds = sim.InstanceIds;
        var chance = new Random(plan.Seed * 7919);
        var primary = Service(sim, crash: null);
        var secondary = Service(sim, crash: null);
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
            var service = plan.CrashAtLook.TryGetValue(looks, out var crashAt) ? Service(sim, new CrashSwitch(crashAt)) : primary;
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

        // The run is over: a burst of 503s still pending was for the engine, not for the checks' own reads.
        sim.World.Faults.InjectServerErrors(0);
        var final = await primary.AdvanceAsync(remediationIds);
        if (looks >= MaxLooks)
        {
            violations.Add($"the remediation did not finish within {MaxLooks} looks");
        }
        violations.AddRange(await FinalViolationsAsync(sim, before, final, instanceIds));
        violations.AddRange(watch.FinalViolations());
        var outcomes = final.Records.Select(r => $"{r.InstanceId}:{r.Outcome ?? "unfinished"}").ToList();
        return new ChaosResult(plan, looks, crashes, errors, sim.World.Counters.Total, outcomes, violations) { Trace = await TraceAsync(sim.Store, instanceIds, violations) };
    }

    private static async Task<IReadOnlyList<string>> TraceAsync(IRemediationStore store, IReadOnlyList<string> instanceIds, IReadOnlyList<string> violations)
    {
        var trace = new List<string>();
        foreach (var id in instanceIds.Where(id => violations.Any(v => v.Contains(id, StringComparison.Ordinal))))
        {
            foreach (var record in await store.HistoryAsync(id))
            {
                trace.Add($"{id} {record.RemediationId} {record.Plan} -> {record.Outcome ?? "unfinished"}");
                trace.AddRange(record.History.Select(h => $"    {h.At:HH:mm:ss} {h.Step}: {h.Event}"));
            }
        }
        return trace;
    }

    private static RemediationRequest Request(IReadOnlyList<string> ids, bool force, string trigger) =>
        new(ids, RemediationMode.Remediate, DryRun: false, trigger, null) { Force = force };

    /// <summary>
    /// An engine as a new process (or Lambda retry) builds it, with every plan: the image port, the
    /// Nitro port and the scenario's rescue AMIs; with a crash switch its EC2, SSM and store calls can die.
    /// </summary>
    private static RemediationService Service(SimulatedEngine sim, CrashSwitch? crash)
    {
        var (ec2Client, ssmClient) = EngineFactory.CreateClients(new AwsConnection("us-east-1", sim.Host.Endpoint.ToString(), new BasicAWSCredentials("test", "test")));
        IEc2Port ec2 = new Ec2Adapter(ec2Client);
        ISsmPort ssm = new SsmAdapter(ssmClient);
        IRemediationStore store = sim.Store;
        if (crash is not null)
        {
            (ec2, ssm, store) = (new CrashingEc2(ec2, crash), new CrashingSsm(ssm, crash), new CrashingStore(store, crash));
        }
        return new RemediationService(ec2, ssm, store, NitroEngine.Options(sim.World), sim.Clock, images: new ImageAdapter(ec2Client), nitro: new NitroAdapter(ec2Client));
    }

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
        await Collect(violations, () => InvariantChecks.AssertNoOverlappingHostCommandsAsync(sim.Host.Endpoint, instanceIds.ToHashSet(StringComparer.Ordinal)));
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
