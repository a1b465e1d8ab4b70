using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Simulated;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: a wait for the SSM agent asks SSM only for the Online agents (PingStatus=Online beside
/// the ids), so an agent that is not back yet costs no entry in the answer's pages; the look that
/// fails the wait on its timeout reads the whole ping, so the failure still names it. Real SDK
/// against the simulator, counting the answers that list each instance; and an endpoint that
/// refuses the filter pair is read whole instead.
/// </summary>
public sealed class OnlineOnlyPingTests
{
    private const string FirstBootWait = "await-healthy-without-ena";

    [Fact]
    public async Task AnAgentThatNeverComesBackIsNotListedWhileWaitedForAndItsTimeoutNamesItsExactPing()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1, arrange: w => w.Faults.For(w.Instances[0].InstanceId).SsmAgentNeverOnline = true);
        var instanceId = sim.InstanceIds.Single();
        var remediationId = (await sim.Service.StartAsync(new RemediationRequest(sim.InstanceIds, RemediationMode.Remediate, false, "test", null))).RemediationIds.Single();
        var (askedWhileWaiting, listedAtTimeout) = (0L, false);
        AdvanceResult result;
        for (var look = 0; ; look++)
        {
            Assert.True(look < 3000, "the remediation did not finish");
            var before = (await sim.Store.GetAsync(remediationId))!;
            var (asked, listed) = (sim.World.Counters["DescribeInstanceInformation", instanceId], sim.World.Counters[RequestCounters.PingListed, instanceId]);
            result = await sim.Service.AdvanceAsync([remediationId]);
            var after = (await sim.Store.GetAsync(remediationId))!;
            var listedNow = sim.World.Counters[RequestCounters.PingListed, instanceId] > listed;
            if (before.Step == FirstBootWait && after.Step == FirstBootWait)
            {
                askedWhileWaiting += sim.World.Counters["DescribeInstanceInformation", instanceId] - asked;
                Assert.False(listedNow, "a look that left the agent waiting listed its ConnectionLost entry");
            }
            else if (before.Step == FirstBootWait)
            {
                listedAtTimeout = listedNow;
            }
            if (result.Done)
            {
                break;
            }
            sim.Clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }

        var record = Assert.Single(result.Records);
        Assert.Equal(Outcomes.RolledBack, record.Outcome);
        Assert.True(askedWhileWaiting > 0, "the wait never asked SSM about the agent");
        Assert.True(listedAtTimeout, "the look that ended the wait did not read the agent's whole ping");
        Assert.Contains("SSM ConnectionLost", record.OutcomeReason, StringComparison.Ordinal);
        var history = (await sim.Store.GetAsync(remediationId))!.History;
        Assert.Contains(history, h => h.Step == FirstBootWait && h.Event.Contains("SSM not online yet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnEndpointThatRefusesTheFilterPairIsReadWholeFromThenOn()
    {
        var ssm = new RefusesPingStatusFilter();
        var adapter = new SsmAdapter(ssm);

        Assert.Equal(["i-0000000000000000a"], await adapter.DescribeOnlineAsync(["i-0000000000000000a", "i-0000000000000000b"], CancellationToken.None));
        Assert.Equal(["i-0000000000000000a"], await adapter.DescribeOnlineAsync(["i-0000000000000000a", "i-0000000000000000b"], CancellationToken.None));

        // Refused once, read whole, and not tried again.
        Assert.Equal([["InstanceIds", "PingStatus"], ["InstanceIds"], ["InstanceIds"]], ssm.FilterKeys);
    }

    /// <summary>
    /// SSM as an endpoint that took the PingStatus filter beside InstanceIds for an invalid key
    /// would answer; the whole read lists one Online and one ConnectionLost agent. Never sends a request.
    /// </summary>
    private sealed class RefusesPingStatusFilter() : AmazonSimpleSystemsManagementClient(new BasicAWSCredentials("test", "test"),
        new AmazonSimpleSystemsManagementConfig { ServiceURL = "http://127.0.0.1:9", AuthenticationRegion = "us-east-1" })
    {
        public List<List<string>> FilterKeys { get; } = [];

        public override Task<DescribeInstanceInformationResponse> DescribeInstanceInformationAsync(DescribeInstanceInformationRequest request, CancellationToken cancellationToken = default)
        {
            FilterKeys.Add(request.Filters.Select(f => f.Key).ToList());
            if (request.Filters.Any(f => f.Key == "PingStatus"))
            {
                throw new InvalidFilterKeyException("The filter key PingStatus is not valid with InstanceIds") { ErrorCode = "InvalidFilterKey" };
            }
            return Task.FromResult(new DescribeInstanceInformationResponse
            {
                InstanceInformationList =
                [
                    new InstanceInformation { InstanceId = "i-0000000000000000a", PingStatus = PingStatus.Online },
                    new InstanceInformation { InstanceId = "i-0000000000000000b", PingStatus = PingStatus.ConnectionLost },
                ],
            });
        }
    }
}
