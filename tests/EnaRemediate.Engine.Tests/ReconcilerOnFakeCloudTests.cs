using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Engine.Tests;

/// <summary>The reconciler's decisions and crash safety on the in-memory cloud (fast; many seeds).</summary>
public sealed class ReconcilerOnFakeCloudTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryRemediationStore _store = new();
    private readonly FakeCloud _cloud;

    public ReconcilerOnFakeCloudTests() => _cloud = new FakeCloud(_time);

    private static readonly EngineOptions Options = new EngineOptions { JitterSeed = 7 }.WithDriver(new string('a', 64));

    private RemediationService Service(CrashSwitch? crash = null) => crash is null
        ? new RemediationService(_cloud, _cloud, _store, Options, _time)
        : new RemediationService(new CrashingEc2(_cloud, crash), new CrashingSsm(_cloud, crash), new CrashingStore(_store, crash), Options, _time);

    /// <summary>Advance until done, jumping the fake clock by each answer's wait.</summary>
    private async Task<AdvanceResult> RunAsync(RemediationService service, IReadOnlyList<string> ids)
    {
        for (var i = 0; i < 2000; i++)
        {
            var result = await service.AdvanceAsync(ids);
            if (result.Done)
            {
                return result;
            }
            _time.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }
        throw new InvalidOperationException("the remediation did not finish in 2000 looks");
    }

    private static RemediationRequest Remediate(params string[] ids) => new(ids, RemediationMode.Remediate, DryRun: false, "test", null);

    [Fact]
    public async Task BrokenInstanceIsRecoveredWithEnaOnAndTheDriverInstalled()
    {
        _cloud.Add("i-0123456789abcdef0");
        var service = Service();
        var started = await service.StartAsync(Remediate("i-0123456789abcdef0"));
        var result = await RunAsync(service, started.RemediationIds);

        Assert.Equal(Outcomes.Recovered, Assert.Single(result.Records).Outcome);
        var vm = _cloud.Vms["i-0123456789abcdef0"];
        Assert.True(vm.Ena);
        Assert.True(vm.DriverInstalled);
        Assert.Equal("running", vm.State);
        Assert.Empty(_cloud.Violations);
    }

    [Fact]
    public async Task FleetIsStoppedAndStartedInBatches()
    {
        var ids = Enumerable.Range(0, 30).Select(i => $"i-{i:x17}").ToArray();
        foreach (var id in ids)
        {
            _cloud.Add(id);
        }
        var service = Service();
        var result = await RunAsync(service, (await service.StartAsync(Remediate(ids))).RemediationIds);

        Assert.All(result.Records, r => Assert.Equal(Outcomes.Recovered, r.Outcome));
        // Two starts per instance, but batched: far fewer StartInstances calls than instances.
        Assert.True(_cloud.StartCalls <= 6, $"{_cloud.StartCalls} StartInstances calls for 30 instances");
        Assert.Empty(_cloud.Violations);
    }

    /// <summary>
    /// Two remediations started some seconds apart and advanced together meet in different steps
    /// that run the same document (validate-install and validate-final share one SendCommand):
    /// each must keep the command id under its own step. Over a range of offsets some coincide.
    /// </summary>
    [Fact]
    public async Task RecordsInDifferentStepsCanShareOneCommand()
    {
        for (var offset = 0; offset <= 150; offset += 5)
        {
            var world = new ReconcilerOnFakeCloudTests();
            world._cloud.Add("i-00000000000000aa1");
            world._cloud.Add("i-00000000000000bb2");
            var service = world.Service();
            var first = (await service.StartAsync(Remediate("i-00000000000000aa1"))).RemediationIds;
            var firstLoop = first;
            for (var elapsed = 0; elapsed < offset;)
            {
                var step = await service.AdvanceAsync(firstLoop);
                world._time.Advance(TimeSpan.FromSeconds(step.WaitSeconds));
                elapsed += step.WaitSeconds;
            }
            var second = (await service.StartAsync(Remediate("i-00000000000000bb2"))).RemediationIds;
            var result = await world.RunAsync(service, [.. first, .. second]);

            Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.Recovered, $"offset {offset}: {r.InstanceId}: {r.OutcomeReason}"));
        }
    }

    [Fact]
    public async Task FailedInstallRollsBackToEnaOffAndRunning()
    {
        _cloud.Add("i-0123456789abcdef1", vm => vm.InstallFails = true);
        var service = Service();
        var result = await RunAsync(service, (await service.StartAsync(Remediate("i-0123456789abcdef1"))).RemediationIds);

        var record = Assert.Single(result.Records);
        Assert.Equal(Outcomes.RolledBack, record.Outcome);
        Assert.Contains("install", record.OutcomeReason);
        var vm = _cloud.Vms["i-0123456789abcdef1"];
        Assert.False(vm.Ena);
        Assert.Equal("running", vm.State);
    }

    [Fact]
    public async Task FinalValidationFailureTurnsEnaOffAgain()
    {
        _cloud.Add("i-0123456789abcdef2", vm => vm.FinalValidationFails = true);
        var service = Service();
        var result = await RunAsync(service, (await service.StartAsync(Remediate("i-0123456789abcdef2"))).RemediationIds);

        Assert.Equal(Outcomes.RolledBack, Assert.Single(result.Records).Outcome);
        Assert.False(_cloud.Vms["i-0123456789abcdef2"].Ena);
        Assert.Equal("running", _cloud.Vms["i-0123456789abcdef2"].State);
    }

    [Fact]
    public async Task StuckStopIsForced()
    {
        _cloud.Add("i-0123456789abcdef3", vm => vm.StuckStopping = true);
        var service = Service();
        var result = await RunAsync(service, (await service.StartAsync(Remediate("i-0123456789abcdef3"))).RemediationIds);

        Assert.Equal(Outcomes.Recovered, Assert.Single(result.Records).Outcome);
        Assert.Contains(_cloud.MutatingCalls, c => c.StartsWith("stop! ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InstanceFoundStoppedIsLeftStopped()
    {
        _cloud.Add("i-0123456789abcdef4", vm => vm.State = "stopped");
        var service = Service();
        var result = await RunAsync(service, (await service.StartAsync(Remediate("i-0123456789abcdef4"))).RemediationIds);

        Assert.Equal(Outcomes.Recovered, Assert.Single(result.Records).Outcome);
        Assert.Equal("stopped", _cloud.Vms["i-0123456789abcdef4"].State);
        Assert.True(_cloud.Vms["i-0123456789abcdef4"].Ena);
    }

    [Fact]
    public async Task SecondStartForTheSameInstanceIsRefusedWhileTheFirstRuns()
    {
        _cloud.Add("i-0123456789abcdef5");
        var service = Service();
        await service.StartAsync(Remediate("i-0123456789abcdef5"));
        var second = await service.StartAsync(Remediate("i-0123456789abcdef5"));

        Assert.Equal("already-remediating", Assert.Single(second.Instances).RefusalCode);
        Assert.Empty(second.RemediationIds);
    }

    [Fact]
    public async Task DryRunListsTheCallsAndChangesNothing()
    {
        _cloud.Add("i-0123456789abcdef6");
        var started = await Service().StartAsync(Remediate("i-0123456789abcdef6") with { DryRun = true });

        var instance = Assert.Single(started.Instances);
        Assert.Equal(Core.Triage.PlanNames.Fallback, instance.Plan);
        Assert.Contains(instance.PlannedCalls, c => c.AwsAction == "ec2:StopInstances" && c.DryRunCheck!.StartsWith("permitted", StringComparison.Ordinal));
        Assert.Contains(instance.PlannedCalls, c => c.AwsAction == "ssm:SendCommand");
        Assert.Empty(_cloud.MutatingCalls);
        Assert.Empty(started.RemediationIds);
    }

    /// <summary>
    /// Kill the engine at every externally visible moment in turn (before and after each mutating
    /// call and each record write), then resume with a fresh engine on the same store and cloud.
    /// Every run must end recovered, with no call made from a state EC2 would refuse.
    /// </summary>
    [Fact]
    public async Task CrashAtEveryPointThenResumeStillRecovers()
    {
        // A clean run tells how many crash points there are.
        var probe = new ReconcilerOnFakeCloudTests();
        var probeSwitch = new CrashSwitch(int.MaxValue);
        probe._cloud.Add("i-0123456789abcdef7");
        var probeService = probe.Service(probeSwitch);
        await probe.RunAsync(probeService, (await probeService.StartAsync(Remediate("i-0123456789abcdef7"))).RemediationIds);
        Assert.True(probeSwitch.Passed > 20);

        for (var point = 1; point <= probeSwitch.Passed; point++)
        {
            var world = new ReconcilerOnFakeCloudTests();
            world._cloud.Add("i-0123456789abcdef7");
            await world.CrashThenResumeAsync(point, "i-0123456789abcdef7");
        }
    }

    private async Task CrashThenResumeAsync(int point, string instanceId)
    {
        var crash = new CrashSwitch(point);
        IReadOnlyList<string> ids = [];
        try
        {
            var service = Service(crash);
            ids = (await service.StartAsync(Remediate(instanceId))).RemediationIds;
            await RunAsync(service, ids);
        }
        catch (SimulatedCrash)
        {
            // The process died here. A new one finds the work through the store, as the sweep or Step Functions would.
        }
        Assert.True(crash.Fired, $"crash point {point} was never reached");
        var resumed = Service();
        if (ids.Count == 0)
        {
            ids = (await _store.ListUnfinishedAsync()).Select(r => r.RemediationId).ToList();
            if (ids.Count == 0 && await _store.GetLatestAsync(instanceId) is null)
            {
                // Died before the record existed: nothing happened, so starting again is the right thing.
                ids = (await resumed.StartAsync(Remediate(instanceId))).RemediationIds;
            }
        }
        var result = await RunAsync(resumed, ids);

        var record = Assert.Single(result.Records);
        Assert.True(record.Outcome == Outcomes.Recovered, $"crash at point {point}: {record.Outcome}: {record.OutcomeReason}");
        var vm = _cloud.Vms[instanceId];
        Assert.True(vm.Ena && vm.DriverInstalled && vm.State == "running", $"crash at point {point}: instance left ena={vm.Ena} driver={vm.DriverInstalled} {vm.State}");
        Assert.True(_cloud.Violations.Count == 0, $"crash at point {point}: {string.Join("; ", _cloud.Violations)}");
        var stored = (await _store.HistoryAsync(instanceId)).Single();
        Assert.Contains(stored.UndoLog, u => u.Action == UndoActions.StartAgain);
    }
}
