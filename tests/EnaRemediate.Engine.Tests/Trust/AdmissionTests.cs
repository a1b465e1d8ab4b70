using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Triage;
using EnaRemediate.Engine.Tests.Fakes;

namespace EnaRemediate.Engine.Tests.Trust;

/// <summary>
/// Issue 11: act only on what is observed broken, with a cool-down after a finished remediation
/// for every trigger, and every parameter checked before the first call that changes anything.
/// </summary>
public sealed class AdmissionTests
{
    private const string Id = "i-0123456789abcdef0";
    private readonly FakeWorld _world = new();

    private void AddHealthy() => _world.Cloud.Add(Id, vm => vm.DriverInstalled = true);

    [Theory]
    [InlineData("alarm")]
    [InlineData("console")]
    [InlineData("runbook")]
    [InlineData("cli")]
    [InlineData("sweep")]
    public async Task AHealthyInstanceIsRefusedAndNothingIsChanged(string trigger)
    {
        AddHealthy();
        var started = await _world.Service().StartAsync(FakeWorld.Remediate(Id) with { Trigger = trigger });

        var instance = Assert.Single(started.Instances);
        Assert.Equal(RefusalCodes.NotImpaired, instance.RefusalCode);
        Assert.Contains("--force", instance.Reason);
        Assert.Empty(started.RemediationIds);
        Assert.Empty(_world.Cloud.MutatingCalls);
    }

    [Fact]
    public async Task AForcedRemediationOfAHealthyInstanceRunsAndIsRecordedAsForced()
    {
        AddHealthy();
        var service = _world.Service();
        var result = await _world.RemediateAsync(service, FakeWorld.Remediate(Id) with { Force = true });

        Assert.Equal(Outcomes.Recovered, Assert.Single(result.Records).Outcome);
        var record = Assert.Single(await _world.Store.HistoryAsync(Id));
        Assert.Equal("true", record.Memo[MemoKeys.Forced]);
        Assert.Contains(record.History, h => h.Event.StartsWith("forced", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARerunAfterAFinishedRemediationWaitsForTheCooldownUnlessForced()
    {
        _world.Cloud.Add(Id);
        var service = _world.Service();
        Assert.Equal(Outcomes.Recovered, Assert.Single((await _world.RemediateAsync(service, FakeWorld.Remediate(Id))).Records).Outcome);
        // The instance breaks again (a new kernel without the module): still, the same alarm re-sent must not restart at once.
        _world.Cloud.Vms[Id].DriverInstalled = false;
        _world.Time.Advance(TimeSpan.FromMinutes(5));
        var calls = _world.Cloud.MutatingCalls.Count;

        var again = Assert.Single((await service.StartAsync(FakeWorld.Remediate(Id) with { Trigger = "alarm" })).Instances);

        Assert.Equal(RefusalCodes.Cooldown, again.RefusalCode);
        Assert.Equal(calls, _world.Cloud.MutatingCalls.Count);
        Assert.Single((await service.StartAsync(FakeWorld.Remediate(Id) with { Force = true })).RemediationIds);
    }

    [Fact]
    public async Task AfterTheCooldownABrokenInstanceIsRemediatedAgain()
    {
        _world.Cloud.Add(Id);
        var service = _world.Service();
        await _world.RemediateAsync(service, FakeWorld.Remediate(Id));
        _world.Cloud.Vms[Id].DriverInstalled = false;
        _world.Time.Advance(FakeWorld.DefaultOptions.Cooldown + TimeSpan.FromMinutes(1));

        Assert.Single((await service.StartAsync(FakeWorld.Remediate(Id) with { Trigger = "sweep" })).RemediationIds);
    }

    [Theory]
    [InlineData("x;$(reboot)", null, null, null, "sha256")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", null, null, null, "sha256")]
    [InlineData(null, "http://example.com/ena.tar.gz", null, null, "https:// or s3://")]
    [InlineData(null, "file:///etc/passwd", null, null, "https:// or s3://")]
    [InlineData(null, "https://example.com/ena.tar.gz';reboot;'", null, null, "https:// or s3://")]
    [InlineData(null, null, "2.16", null, "X.Y.Z")]
    [InlineData(null, null, "2.16.1;id", null, "X.Y.Z")]
    [InlineData(null, null, null, "6.1.0-57-amd64 $(reboot)", "kernel release")]
    public async Task ABadParameterIsRefusedBeforeAnyCallThatChangesAnything(string? sha, string? source, string? version, string? kernels, string expected)
    {
        _world.Cloud.Add(Id);
        var options = FakeWorld.DefaultOptions.WithDriver(sha ?? new string('a', 64), source, version);
        if (kernels is not null)
        {
            options = options with { InstallParameters = new Dictionary<string, IReadOnlyList<string>>(options.InstallParameters) { ["Kernels"] = [kernels] } };
        }

        var started = await _world.Service(options).StartAsync(FakeWorld.Remediate(Id));

        var instance = Assert.Single(started.Instances);
        Assert.Equal(RefusalCodes.InvalidParameters, instance.RefusalCode);
        Assert.Contains(expected, instance.Reason);
        Assert.Empty(started.RemediationIds);
        Assert.Empty(_world.Cloud.MutatingCalls);
    }

    [Theory]
    [InlineData("route", "no-such-plan", "names no plan")]
    [InlineData("tag.aws:owner", "x", "not one EC2 accepts")]
    [InlineData("tag.Team", "a\nb", "not one EC2 accepts")]
    [InlineData("bad name;", "x", "not an option name")]
    public async Task ABadPlanOptionIsRefusedBeforeAnyCall(string name, string value, string expected)
    {
        _world.Cloud.Add(Id);
        var request = FakeWorld.Remediate(Id) with { PlanOptions = new Dictionary<string, string> { [name] = value } };

        var instance = Assert.Single((await _world.Service().StartAsync(request)).Instances);

        Assert.Equal(RefusalCodes.InvalidParameters, instance.RefusalCode);
        Assert.Contains(expected, instance.Reason);
        Assert.Empty(_world.Cloud.MutatingCalls);
    }
}
