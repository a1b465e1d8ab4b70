using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Fakes;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Trust;

/// <summary>
/// Issue 11, no overlapping host work: a command whose id was lost (a crash between SendCommand
/// and saving the id) is found with ListCommandInvocations and adopted, never sent a second time.
/// </summary>
public sealed class InFlightCommandTests
{
    private const string InstallStep = "install-driver";

    /// <summary>
    /// Advance until the record has sent its install, then put the record back as a crash right
    /// after SendCommand leaves it: the intent saved with the decision, no command id.
    /// </summary>
    private static async Task LoseTheInstallCommandIdAsync(RemediationService service, IRemediationStore store, IReadOnlyList<string> ids, Action<TimeSpan> advance)
    {
        for (var look = 0; look < 500; look++)
        {
            var record = (await store.GetAsync(ids[0]))!;
            if (record.Memo.ContainsKey(MemoKeys.CommandId(InstallStep)))
            {
                var sentAt = record.History.Last(h => h.Event.StartsWith("running EnaRemediate-InstallDriver", StringComparison.Ordinal)).At;
                await store.SaveAsync(record with
                {
                    Memo = record.Memo.Remove(MemoKeys.CommandId(InstallStep)).SetItem(MemoKeys.SendingSince(InstallStep), sentAt.ToString("O")),
                }, record.Version);
                return;
            }
            advance(TimeSpan.FromSeconds((await service.AdvanceAsync(ids)).WaitSeconds));
        }
        throw new InvalidOperationException("the install was never sent");
    }

    [Fact]
    public async Task ALostCommandIdIsAdoptedInsteadOfSendingTheInstallAgain()
    {
        var world = new FakeWorld();
        world.Cloud.Add("i-0123456789abcdef0");
        var service = world.Service();
        var ids = (await service.StartAsync(FakeWorld.Remediate("i-0123456789abcdef0"))).RemediationIds;
        await LoseTheInstallCommandIdAsync(service, world.Store, ids, world.Time.Advance);

        var record = Assert.Single((await world.RunAsync(world.Service(), ids)).Result.Records);

        Assert.Equal(Outcomes.Recovered, record.Outcome);
        Assert.Single(world.Cloud.MutatingCalls, c => c.StartsWith("send EnaRemediate-InstallDriver", StringComparison.Ordinal));
        Assert.Equal(0, world.Cloud.OverlappingCommands("i-0123456789abcdef0"));
        Assert.Contains((await world.Store.GetAsync(ids[0]))!.History, h => h.Event.StartsWith("adopted command", StringComparison.Ordinal));
        Assert.True(world.Cloud.RecentInvocationListings > 0);
    }

    /// <summary>
    /// A look for the lost command that SSM refuses (throttled) defers the send, and the intent
    /// stays: the next try looks again and adopts, it never sends blind.
    /// </summary>
    [Fact]
    public async Task ARefusedLookForALostCommandKeepsTheIntentAndStillAdopts()
    {
        var world = new FakeWorld();
        world.Cloud.Add("i-0123456789abcdef0");
        var service = world.Service();
        var ids = (await service.StartAsync(FakeWorld.Remediate("i-0123456789abcdef0"))).RemediationIds;
        await LoseTheInstallCommandIdAsync(service, world.Store, ids, world.Time.Advance);
        world.Cloud.ThrottleRecentInvocationListings = 1;

        var record = Assert.Single((await world.RunAsync(world.Service(), ids)).Result.Records);

        Assert.Equal(Outcomes.Recovered, record.Outcome);
        Assert.Single(world.Cloud.MutatingCalls, c => c.StartsWith("send EnaRemediate-InstallDriver", StringComparison.Ordinal));
        Assert.Equal(0, world.Cloud.ThrottleRecentInvocationListings);
        Assert.Contains((await world.Store.GetAsync(ids[0]))!.History, h => h.Event.StartsWith("adopted command", StringComparison.Ordinal));
    }

    /// <summary>
    /// The intent is saved before the send, so a send decided for the first time cannot be on the
    /// host: it goes out without paging through the document's invocations (issue 13: that look was
    /// three quarters of all calls at 5,000 instances), and no intent outlives its saved command id.
    /// </summary>
    [Fact]
    public async Task ASendDecidedForTheFirstTimeGoesOutWithoutLookingForItself()
    {
        var world = new FakeWorld();
        world.Cloud.Add("i-0123456789abcdef0");
        var service = world.Service();
        var ids = (await service.StartAsync(FakeWorld.Remediate("i-0123456789abcdef0"))).RemediationIds;

        var record = Assert.Single((await world.RunAsync(service, ids)).Result.Records);

        Assert.Equal(Outcomes.Recovered, record.Outcome);
        Assert.Equal(0, world.Cloud.RecentInvocationListings);
        Assert.Equal(3, world.Cloud.MutatingCalls.Count(c => c.StartsWith("send ", StringComparison.Ordinal)));
        Assert.DoesNotContain((await world.Store.GetAsync(ids[0]))!.Memo.Keys, k => k.EndsWith(".sendingSince", StringComparison.Ordinal));
    }

    /// <summary>The same through the real SDK and the simulator's ListCommandInvocations filters (DocumentName, InvokedAfter).</summary>
    [Fact]
    public async Task OnTheSimulatorTheRunningInstallIsFoundOverTheWire()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1);
        var id = sim.InstanceIds.Single();
        var ids = (await sim.Service.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, false, "test", null))).RemediationIds;
        await LoseTheInstallCommandIdAsync(sim.Service, sim.Store, ids, sim.Clock.Advance);

        var result = await sim.RunAsync(ids, sim.NewService());

        Assert.Equal(Outcomes.Recovered, Assert.Single(result.Records).Outcome);
        // install, validate-install, validate-final: one each, the install not twice.
        Assert.Equal(3, sim.World.Counters["SendCommand"]);
        await InvariantChecks.AssertNoOverlappingHostCommandsAsync(sim);
    }
}
