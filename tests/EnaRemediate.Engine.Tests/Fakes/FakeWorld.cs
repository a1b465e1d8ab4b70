using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Core.Engine.Validation;
using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Engine.Tests.Fakes;

/// <summary>One in-memory cloud, store and test clock, and the engine on them: a fresh world per test.</summary>
internal sealed class FakeWorld
{
    public static readonly EngineOptions DefaultOptions = new EngineOptions { JitterSeed = 7 }.WithDriver(new string('a', 64));

    public FakeWorld() => Cloud = new FakeCloud(Time);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));
    public InMemoryRemediationStore Store { get; } = new();
    public FakeCloud Cloud { get; }

    public RemediationService Service(EngineOptions? options = null, IHostValidator? validator = null) =>
        new(Cloud, Cloud, Store, options ?? DefaultOptions, Time, validator);

    public static RemediationRequest Remediate(params string[] ids) => new(ids, RemediationMode.Remediate, DryRun: false, "test", null);

    /// <summary>Advance until done, jumping the clock by each answer's wait; also returns how many Advances it took.</summary>
    public async Task<(AdvanceResult Result, int Advances)> RunAsync(RemediationService service, IReadOnlyList<string> ids, int maxLooks = 5000)
    {
        for (var look = 1; look <= maxLooks; look++)
        {
            var result = await service.AdvanceAsync(ids);
            if (result.Done)
            {
                return (result, look);
            }
            Time.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }
        throw new InvalidOperationException($"the remediation did not finish in {maxLooks} looks");
    }

    public async Task<AdvanceResult> RemediateAsync(RemediationService service, RemediationRequest request) =>
        (await RunAsync(service, (await service.StartAsync(request)).RemediationIds)).Result;
}
