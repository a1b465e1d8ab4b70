using System.Reflection;
using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Triage;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Nitro;

/// <summary>
/// Repairs waiting for their rescues share one view of them: a look describes the account's
/// rescues once and asks SSM about their agents once, however many records wait (at 1,000
/// instances one describe each was 500 DescribeInstances a look, throttled, the SDK's backoff
/// stalling the run); claims made in the same look still see each other, so no device is claimed
/// twice; and the repairs' own EBS, tag and launch calls are paced by the engine, so EC2 throttles none.
/// </summary>
public sealed class RescueViewTests
{
    [Fact]
    public async Task A_look_describes_the_rescues_once_no_device_is_claimed_twice_and_ec2_throttles_none_of_the_repairs_calls()
    {
        await using var sim = await SimulatedEngine.StartAsync("nitro-fleet", instances: 150);
        var throttled = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        sim.World.Throttle.Rejected += action => throttled.AddOrUpdate(action, 1, (_, n) => n + 1);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var (ec2Client, ssmClient) = EngineFactory.CreateClients(new AwsConnection("us-east-1", sim.Host.Endpoint.ToString(), new BasicAWSCredentials("test", "test")));
        var service = new RemediationService(new Ec2Adapter(ec2Client), Counting<ISsmPort>.Wrap(new SsmAdapter(ssmClient), counts), sim.Store,
            NitroEngine.Options(sim.World), sim.Clock, nitro: Counting<INitroPort>.Wrap(new NitroAdapter(ec2Client), counts));
        var ids = (await service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null))).RemediationIds;

        var looks = 0;
        var mostWaiting = 0;
        for (var result = await Advance(); !result.Done; result = await Advance())
        {
            Assert.True(++looks < 3000, "the fleet did not finish");
            sim.Clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }

        async Task<AdvanceResult> Advance()
        {
            counts.Clear();
            var result = await service.AdvanceAsync(ids);
            // The simulator's clock stands still within a look: one describe and one ping serve every record of it
            // (and a termination, the one destructive call, describes afresh before it is made).
            var describes = counts.GetValueOrDefault(nameof(INitroPort.DescribeRescueInstancesAsync));
            var terminations = counts.GetValueOrDefault(nameof(INitroPort.TerminateRescueAsync));
            Assert.True(describes <= 1 + terminations, $"{describes} rescue describes in one look with {terminations} termination(s)");
            Assert.True(counts.GetValueOrDefault(nameof(ISsmPort.DescribePingStatusAsync)) <= 2, $"{counts.GetValueOrDefault(nameof(ISsmPort.DescribePingStatusAsync))} ping reads in one look (one for the records' own instances, one for the rescues)");
            mostWaiting = Math.Max(mostWaiting, result.Records.Count(r => r.Step is "await-rescue-running" or "await-rescue"));
            foreach (var rescue in sim.World.Instances.Where(i => i.Tags.GetValueOrDefault("EnaRemediate:LaunchedBy") == NitroOptions.CliStackName))
            {
                var live = rescue.Tags.Where(t => t.Key.StartsWith("EnaRemediate:Claim:", StringComparison.Ordinal)).GroupBy(t => t.Value).Where(g => g.Count() > 1).ToList();
                Assert.True(live.Count == 0, $"{rescue.InstanceId}: device {live.FirstOrDefault()?.Key} claimed by {string.Join(", ", live.FirstOrDefault()?.Select(t => t.Key) ?? [])}");
            }
            return result;
        }

        // 75 repairs inspect their roots, claim and move them at once: above EC2's bursts (DescribeVolumes by id 50, AttachVolume 50).
        Assert.True(throttled.IsEmpty, $"throttled: {string.Join(", ", throttled.Select(t => $"{t.Key} {t.Value}"))}");
        Assert.True(mostWaiting >= 10, $"at most {mostWaiting} records waited for a rescue at once: the test does not show sharing");
        var records = await Task.WhenAll(ids.Select(async id => (await sim.Store.GetAsync(id))!));
        Assert.All(records.Where(r => r.Plan == PlanNames.OfflineRepair), r => Assert.True(r.Outcome == Outcomes.Recovered, $"{r.InstanceId}: {r.Outcome}: {r.OutcomeReason}"));
    }

    /// <summary>Counts the calls of every method of a port (a DispatchProxy, so the port's whole interface is covered).</summary>
    public class Counting<T> : DispatchProxy where T : class
    {
        private T _inner = null!;
        private Dictionary<string, int> _counts = null!;

        internal static T Wrap(T inner, Dictionary<string, int> counts)
        {
            var proxy = Create<T, Counting<T>>();
            var port = (Counting<T>)(object)proxy;
            port._inner = inner;
            port._counts = counts;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            _counts[targetMethod!.Name] = _counts.GetValueOrDefault(targetMethod.Name) + 1;
            return targetMethod.Invoke(_inner, args);
        }
    }
}
