using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Fakes;

namespace EnaRemediate.Engine.Tests.Trust;

/// <summary>
/// Issue 11: every step has a deadline and a bounded number of attempts and says which it hit;
/// a throttled read defers the record; no capacity is retried for a configurable time then
/// escalated; a system check going bad mid-run is named as such.
/// </summary>
public sealed class StepLimitsTests
{
    private const string Id = "i-0123456789abcdef0";
    private readonly FakeWorld _world = new();

    [Fact]
    public async Task EnaChangesEc2AcceptsButNeverMakesEndAtTheAttemptLimit()
    {
        _world.Cloud.Add(Id, vm => vm.IgnoresEnaChanges = true);

        var record = Assert.Single((await _world.RemediateAsync(_world.Service(), FakeWorld.Remediate(Id))).Records);

        Assert.Contains("ena-off hit its attempt limit", record.OutcomeReason);
        var enaCalls = _world.Cloud.MutatingCalls.Count(c => c.StartsWith("ena=", StringComparison.Ordinal));
        // ena-off's calls, then the rollback's own bounded ones: never the endless resend.
        Assert.InRange(enaCalls, FakeWorld.DefaultOptions.MaxCallsPerStep, 3 * FakeWorld.DefaultOptions.MaxCallsPerStep);
        Assert.Equal("running", _world.Cloud.Vms[Id].State);
    }

    [Fact]
    public async Task AStepThatWaitsForeverHitsItsDeadline()
    {
        _world.Cloud.Add(Id);
        var options = FakeWorld.DefaultOptions with { StepDeadline = TimeSpan.FromMinutes(40) };
        var service = _world.Service(options);
        var ids = (await service.StartAsync(FakeWorld.Remediate(Id))).RemediationIds;
        // Once the first start has been asked for, the instance never leaves pending.
        _world.Cloud.Vms[Id].StuckPending = true;

        var record = Assert.Single((await _world.RunAsync(service, ids)).Result.Records);

        Assert.Contains("start-without-ena hit its deadline of 40 min", record.OutcomeReason);
        Assert.Contains("rollback", record.OutcomeReason);
        Assert.NotNull(record.Outcome);
    }

    [Fact]
    public async Task AThrottledDescribeDefersTheBatchInsteadOfFailingIt()
    {
        _world.Cloud.Add(Id);
        _world.Cloud.Add("i-0123456789abcdef1");
        var service = _world.Service();
        var ids = (await service.StartAsync(FakeWorld.Remediate(Id, "i-0123456789abcdef1"))).RemediationIds;
        _world.Cloud.ThrottledDescribes = 6;

        var (result, _) = await _world.RunAsync(service, ids);

        Assert.All(result.Records, r => Assert.Equal(Outcomes.Recovered, r.Outcome));
        Assert.Equal(0, _world.Cloud.ThrottledDescribes);
        var history = (await _world.Store.HistoryAsync(Id)).Single().History;
        Assert.Contains(history, h => h.Event.Contains("RequestLimitExceeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CapacityRefusalsAreRetriedWithBackoffUntilCapacityReturns()
    {
        // 8 refusals: backing off from 30 s to 10 min this spans over half an hour, far past the 10-minute start timeout, within the hour.
        _world.Cloud.Add(Id, vm => vm.NoCapacityStarts = 8);
        var started = _world.Time.GetUtcNow();

        var record = Assert.Single((await _world.RemediateAsync(_world.Service(), FakeWorld.Remediate(Id))).Records);

        Assert.True(record.Outcome == Outcomes.Recovered, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.True(_world.Time.GetUtcNow() - started > TimeSpan.FromMinutes(20));
    }

    [Fact]
    public async Task NoCapacityForLongerThanTheRetryWindowEscalatesWithTheReason()
    {
        _world.Cloud.Add(Id, vm => vm.NoCapacityStarts = int.MaxValue);
        var started = _world.Time.GetUtcNow();

        var record = Assert.Single((await _world.RemediateAsync(_world.Service(), FakeWorld.Remediate(Id))).Records);

        Assert.Equal(Outcomes.Escalated, record.Outcome);
        Assert.Contains("InsufficientInstanceCapacity", record.OutcomeReason);
        Assert.Contains("start it when capacity returns", record.OutcomeReason);
        Assert.True(_world.Time.GetUtcNow() - started >= FakeWorld.DefaultOptions.CapacityRetryFor, "escalated before the retry window ended");
        // Backed off: a handful of tries an hour, not one every few seconds.
        Assert.InRange(_world.Cloud.StartCalls, 4, 40);
    }

    [Fact]
    public async Task ASystemCheckGoingBadMidRunIsNamedAsSuch()
    {
        _world.Cloud.Add(Id, vm => vm.SystemImpairedAfterStart = true);

        var record = Assert.Single((await _world.RemediateAsync(_world.Service(), FakeWorld.Remediate(Id))).Records);

        Assert.Contains("system status check", record.OutcomeReason);
        Assert.DoesNotContain("cannot take an SSM command", record.OutcomeReason);
    }

    [Fact]
    public async Task AThrottledReadDuringTriageWaitsInsteadOfFailingTheStart()
    {
        _world.Cloud.Add(Id);
        _world.Cloud.ThrottledDescribes = 2;

        var start = _world.Service().StartAsync(FakeWorld.Remediate(Id));
        for (var tick = 0; tick < 100 && !start.IsCompleted; tick++)
        {
            _world.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5);
        }

        Assert.Single((await start).RemediationIds);
        Assert.Equal(0, _world.Cloud.ThrottledDescribes);
    }
}
