using CsCheck;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Functions.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Functions.Tests.Dynamo;

/// <summary>
/// The shared token bucket against the real dynalite server: concurrent takers (each its own
/// budget object, as each Lambda environment is) never get more than the bucket's size plus its
/// refill, clock skew between them only costs, never mints, tokens, and the bucket is whole after.
/// </summary>
public sealed class DynamoRateBudgetTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);
    private const double Slack = 1e-6;

    /// <summary>A caller's own clock: the shared simulated time plus its skew.</summary>
    private sealed class SkewedClock(TimeProvider shared, TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => shared.GetUtcNow() + offset;
    }

    private async Task<int> TakeAllAsync(DynamoRateBudget budget, string action, (int, double) limit, int tries)
    {
        var taken = 0;
        for (var i = 0; i < tries; i++)
            taken += (await budget.TryTakeAsync(action, limit, CancellationToken.None)).Taken ? 1 : 0;
        return taken;
    }

    /// <summary>Rounds of concurrent takes, the shared clock moving between rounds; the tokens granted and the time that passed.</summary>
    private async Task<(int Granted, double Elapsed)> ContendAsync(FakeTimeProvider clock, IReadOnlyList<DynamoRateBudget> takers, string action, (int, double) limit, IReadOnlyList<int> stepsMs)
    {
        var granted = 0;
        foreach (var step in stepsMs)
        {
            clock.Advance(TimeSpan.FromMilliseconds(step));
            granted += (await Task.WhenAll(takers.Select(t => Task.Run(() => TakeAllAsync(t, action, limit, 3))))).Sum();
        }
        return (granted, stepsMs.Sum() / 1000.0);
    }

    private static readonly Gen<(int Size, double Refill)> Limits = Gen.Select(Gen.Int[1, 10], Gen.Int[0, 3].Select(i => new[] { 0.5, 1.0, 2.0, 5.0 }[i]));

    [Fact]
    public async Task Concurrent_takers_never_get_more_than_the_bucket_allows_and_leave_it_whole()
    {
        var table = await dynalite.CreateTableAsync();
        await Gen.Select(Limits, Gen.Int[2, 6], Gen.Int[0, 3000].Array[2, 5]).SampleAsync(async (limit, takerCount, steps) =>
        {
            var clock = new FakeTimeProvider(T0);
            var action = "ec2:StartInstances#" + Guid.NewGuid().ToString("N");
            var takers = Enumerable.Range(0, takerCount).Select(_ => new DynamoRateBudget(dynalite.Client, table, clock)).ToList();

            var (granted, elapsed) = await ContendAsync(clock, takers, action, limit, steps);

            Assert.True(granted <= limit.Size + limit.Refill * elapsed + Slack, $"{granted} tokens in {elapsed} s from a bucket of {limit.Size} refilled {limit.Refill}/s");
            Assert.True(granted >= 1, "a full bucket gave nothing to anyone");
            clock.Advance(TimeSpan.FromSeconds(limit.Size / limit.Refill + 0.01));
            Assert.Equal(limit.Size, await TakeAllAsync(takers[0], action, limit, limit.Size + 3));
        }, iter: 12, threads: 1);
    }

    [Fact]
    public async Task Clock_skew_between_takers_costs_tokens_but_never_mints_them_and_the_slowest_clock_is_served_after_the_skew()
    {
        var table = await dynalite.CreateTableAsync();
        await Gen.Select(Limits, Gen.Int[0, 3000].Array[2, 6], Gen.Int[0, 3000].Array[2, 5]).SampleAsync(async (limit, skewsMs, steps) =>
        {
            var clock = new FakeTimeProvider(T0);
            var action = "ec2:StopInstances#" + Guid.NewGuid().ToString("N");
            // Offsets spread around the true time: half behind it, half ahead.
            var offsets = skewsMs.Select((s, i) => TimeSpan.FromMilliseconds(i % 2 == 0 ? -s : s)).ToList();
            var takers = offsets.Select(o => new DynamoRateBudget(dynalite.Client, table, new SkewedClock(clock, o))).ToList();
            var spread = (offsets.Max() - offsets.Min()).TotalSeconds;

            var (granted, elapsed) = await ContendAsync(clock, takers, action, limit, steps);

            Assert.True(granted <= limit.Size + limit.Refill * (elapsed + spread) + Slack,
                $"{granted} tokens in {elapsed} s (clocks {spread} s apart) from a bucket of {limit.Size} refilled {limit.Refill}/s");
            var slowest = takers[offsets.IndexOf(offsets.Min())];
            // The bucket keeps whole milliseconds: a little more than the full refill, so rounding cannot cost the last token.
            clock.Advance(TimeSpan.FromSeconds(limit.Size / limit.Refill + spread + 0.01));
            Assert.Equal(limit.Size, await TakeAllAsync(slowest, action, limit, limit.Size + 3));
        }, iter: 12, threads: 1);
    }

    [Fact]
    public async Task A_caller_whose_clock_is_an_hour_behind_takes_only_what_is_left_and_refills_nothing()
    {
        var table = await dynalite.CreateTableAsync();
        var clock = new FakeTimeProvider(T0);
        var limit = (Size: 5, Refill: 2.0);
        var right = new DynamoRateBudget(dynalite.Client, table, clock);
        var behind = new DynamoRateBudget(dynalite.Client, table, new SkewedClock(clock, TimeSpan.FromHours(-1)));

        Assert.Equal(3, await TakeAllAsync(right, "ec2:StartInstances", limit, 3));
        clock.Advance(TimeSpan.FromSeconds(10));
        var refused = default(Core.Engine.Ports.RateDecision);
        var taken = 0;
        for (var i = 0; i < 5; i++)
        {
            refused = await behind.TryTakeAsync("ec2:StartInstances", limit, CancellationToken.None);
            taken += refused.Taken ? 1 : 0;
        }

        Assert.Equal(2, taken);
        Assert.False(refused.Taken);
        Assert.Equal(TimeSpan.FromSeconds(0.5), refused.RetryAfter);
        // The right clock sees the 10 s that passed: the bucket is full again for it.
        Assert.Equal(5, await TakeAllAsync(right, "ec2:StartInstances", limit, 8));
    }

    [Fact]
    public async Task Each_action_has_its_own_bucket()
    {
        var table = await dynalite.CreateTableAsync();
        var budget = new DynamoRateBudget(dynalite.Client, table, new FakeTimeProvider(T0));

        Assert.Equal(2, await TakeAllAsync(budget, "ec2:StartInstances", (2, 1), 4));
        Assert.Equal(3, await TakeAllAsync(budget, "ec2:StopInstances", (3, 1), 4));
    }

    [Fact]
    public async Task A_table_it_cannot_reach_makes_the_call_wait_instead_of_failing_the_step()
    {
        using var nowhere = new Amazon.DynamoDBv2.AmazonDynamoDBClient(new Amazon.Runtime.BasicAWSCredentials("test", "test"), new Amazon.DynamoDBv2.AmazonDynamoDBConfig
        {
            ServiceURL = "http://127.0.0.1:9", AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, Timeout = TimeSpan.FromSeconds(5),
        });
        var budget = new DynamoRateBudget(nowhere, "records", new FakeTimeProvider(T0));

        var decision = await budget.TryTakeAsync("ec2:StopInstances", (50, 5), CancellationToken.None);

        Assert.False(decision.Taken);
        Assert.Equal(TimeSpan.FromSeconds(5), decision.RetryAfter);
    }
}
