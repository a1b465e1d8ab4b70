using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Engine.Tests;

/// <summary>
/// The driver the hosts install comes from the pin in driver/ena-driver.json: the engine needs no
/// digest to be given, and a release that cannot match its pin is refused before anything is stopped.
/// </summary>
public sealed class PinnedDriverTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeCloud _cloud;

    public PinnedDriverTests() => _cloud = new FakeCloud(_time);

    private static RemediationRequest Remediate(params string[] ids) => new(ids, RemediationMode.Remediate, DryRun: false, "test", null);

    [Fact]
    public async Task WithoutAnyDigestGivenTheEngineRemediatesWithThePinnedRelease()
    {
        const string id = "i-0123456789abcdef0";
        _cloud.Add(id);
        var service = new RemediationService(_cloud, _cloud, new InMemoryRemediationStore(), new EngineOptions { JitterSeed = 3 }, _time);
        var started = await service.StartAsync(Remediate(id));
        Assert.Null(Assert.Single(started.Instances).RefusalCode);

        AdvanceResult result;
        var looks = 0;
        while (!(result = await service.AdvanceAsync(started.RemediationIds)).Done && looks++ < 2000)
        {
            _time.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }
        Assert.Equal(Outcomes.Recovered, Assert.Single(result.Records).Outcome);
        Assert.Contains($"send EnaRemediate-InstallDriver {id}", _cloud.MutatingCalls);
    }

    [Fact]
    public async Task AnotherVersionWithoutItsOwnDigestIsRefusedBeforeAnythingIsStopped()
    {
        const string id = "i-0123456789abcdef1";
        _cloud.Add(id);
        var options = new EngineOptions { JitterSeed = 3 }.WithDriver(version: "2.17.0");
        var service = new RemediationService(_cloud, _cloud, new InMemoryRemediationStore(), options, _time);

        var started = Assert.Single((await service.StartAsync(Remediate(id))).Instances);

        Assert.Equal(Outcomes.Refused, started.Outcome);
        Assert.Contains("Sha256 is not configured", started.Reason);
        Assert.Contains(PinnedDriverRelease.Current.Tag, started.Reason);
        Assert.Empty(_cloud.MutatingCalls);
        Assert.Equal("running", _cloud.Vms[id].State);
        Assert.True(_cloud.Vms[id].Ena);
    }
}
