using EnaRemediate.Engine.Tests.Fakes;

namespace EnaRemediate.Engine.Tests.Trust;

/// <summary>Issue 15 via 11: the reconciler's jitter follows the run's seed, so one seed gives one run (same calls, same waits).</summary>
public sealed class SeededRunTests
{
    private static async Task<(IReadOnlyList<string> Calls, IReadOnlyList<int> Waits)> RunAsync(int seed)
    {
        var world = new FakeWorld();
        var ids = Enumerable.Range(0, 6).Select(i => $"i-{i:x17}").ToArray();
        foreach (var id in ids)
        {
            world.Cloud.Add(id);
        }
        var service = world.Service(FakeWorld.DefaultOptions with { JitterSeed = seed });
        var remediations = (await service.StartAsync(FakeWorld.Remediate(ids))).RemediationIds;
        var waits = new List<int>();
        for (var look = 0; look < 2000; look++)
        {
            var result = await service.AdvanceAsync(remediations);
            if (result.Done)
            {
                break;
            }
            waits.Add(result.WaitSeconds);
            world.Time.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }
        return (world.Cloud.MutatingCalls.ToList(), waits);
    }

    [Fact]
    public async Task TheSameSeedGivesTheSameCallsAndWaits()
    {
        var first = await RunAsync(1);
        var second = await RunAsync(1);

        Assert.Equal(first.Calls, second.Calls);
        Assert.Equal(first.Waits, second.Waits);
    }

    [Fact]
    public async Task AnotherSeedGivesOtherWaits()
    {
        Assert.NotEqual((await RunAsync(1)).Waits, (await RunAsync(2)).Waits);
    }
}
