using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.Steps;
using Microsoft.Extensions.Time.Testing;
using System.Reflection;

namespace EnaRemediate.Core.Tests.Engine;

/// <summary>
/// Issue 13: the plan-owned calls of one look that each read one id (a volume before its move)
/// are answered by one read for all of them, paced as one; an answer is taken once and never
/// outlives its look, and a batched read that fails leaves each call to read alone.
/// </summary>
public sealed class BatchedReadTests
{
    private const string Look = "ec2:DescribeVolumes";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<IReadOnlyCollection<string>> _batches = [];
    private readonly List<string> _singles = [];

    [Fact]
    public async Task TheLooksCallsShareOneReadAndEachGetsItsOwnAnswer()
    {
        var reads = Reads();
        var budget = new CountingBudget();
        var results = await Executor(budget).ExecuteAsync([Looking(reads, "vol-1"), Looking(reads, "vol-2"), Looking(reads, "vol-3")], CancellationToken.None);

        Assert.Equal(["vol-1", "vol-2", "vol-3"], Assert.Single(_batches).Order());
        Assert.Empty(_singles);
        Assert.Equal(["batch:vol-1", "batch:vol-2", "batch:vol-3"], results.Select(r => r.Memo!["seen"]).Order());
        // One token for the one DescribeVolumes, not one per call.
        Assert.Equal(1, budget.Taken.Count(t => t == Look));
        Assert.All(new[] { "vol-1", "vol-2", "vol-3" }, id => Assert.False(reads.Holds(id)));
    }

    [Fact]
    public async Task AnAnswerACallDidNotTakeInItsLookIsForgotten()
    {
        var reads = Reads();
        // The moves' own token is refused: both calls are deferred after the batched read was made.
        var budget = new CountingBudget { Refuse = "ec2:AttachVolume" };
        var results = await Executor(budget).ExecuteAsync([Moving(reads, "vol-1"), Moving(reads, "vol-2")], CancellationToken.None);

        Assert.All(results, r => Assert.NotNull(r.Deferred));
        Assert.Single(_batches);
        Assert.False(reads.Holds("vol-1"));
        Assert.False(reads.Holds("vol-2"));
        // The next look reads afresh.
        Assert.Equal("single:vol-1", (await reads.TakeOrReadAsync("vol-1", ReadOne("vol-1"), CancellationToken.None))!.Value);
    }

    [Fact]
    public async Task ABatchedReadEc2RefusesLeavesEachCallToReadAlone()
    {
        var reads = new PrimedReads<Seen>(Look, (_, _) => throw new AwsCallException("DescribeVolumes", "InvalidVolume.NotFound", "The volume 'vol-2' does not exist."));
        var budget = new CountingBudget();
        var results = await Executor(budget).ExecuteAsync([Looking(reads, "vol-1"), Looking(reads, "vol-2")], CancellationToken.None);

        Assert.Equal(["single:vol-1", "single:vol-2"], results.Select(r => r.Memo!["seen"]).Order());
        // The failed read took its token, and each call that then read alone took its own.
        Assert.Equal(3, budget.Taken.Count(t => t == Look));
    }

    [Fact]
    public async Task OneCallAloneReadsAsItAlwaysDid()
    {
        var reads = Reads();
        var results = await Executor(new CountingBudget()).ExecuteAsync([Looking(reads, "vol-1")], CancellationToken.None);

        Assert.Empty(_batches);
        Assert.Equal("single:vol-1", Assert.Single(results).Memo!["seen"]);
    }

    private sealed record Seen(string Value);

    private PrimedReads<Seen> Reads() => new(Look, (ids, _) =>
    {
        _batches.Add(ids);
        return Task.FromResult<IReadOnlyDictionary<string, Seen>>(ids.ToDictionary(id => id, id => new Seen("batch:" + id)));
    });

    private Func<CancellationToken, Task<Seen?>> ReadOne(string id) => _ =>
    {
        _singles.Add(id);
        return Task.FromResult<Seen?>(new Seen("single:" + id));
    };

    private PendingAction Looking(PrimedReads<Seen> reads, string id) => Pending(id, new PlanCall(Look, $"look at {id}", async ct =>
        ImmutableDictionary<string, string>.Empty.Add("seen", (await reads.TakeOrReadAsync(id, ReadOne(id), ct))!.Value)) { Reads = new BatchedRead(reads, id) });

    private PendingAction Moving(PrimedReads<Seen> reads, string id) => Pending(id, new PlanCall("ec2:AttachVolume", $"attach {id}", async ct =>
        ImmutableDictionary<string, string>.Empty.Add("seen", (await reads.TakeOrReadAsync(id, ReadOne(id), ct))!.Value)) { AlsoCalls = [Look], Reads = new BatchedRead(reads, id) });

    private PendingAction Pending(string volume, PlanCall call) => new(new RemediationRecord
    {
        RemediationId = "rem-" + volume,
        InstanceId = "i-" + volume,
        Plan = "offline-repair",
        Trigger = "test",
        CreatedAt = _clock.GetUtcNow(),
        UpdatedAt = _clock.GetUtcNow(),
    }, call);

    private ActionExecutor Executor(IRateBudget budget) =>
        new(Unused<IEc2Port>.Port(), Unused<ISsmPort>.Port(), new EngineOptions(), _clock, budget);

    private sealed class CountingBudget : IRateBudget
    {
        public List<string> Taken { get; } = [];
        public string? Refuse { get; init; }

        public Task<RateDecision> TryTakeAsync(string awsAction, (int Size, double RefillPerSecond) limit, CancellationToken cancellationToken)
        {
            if (awsAction == Refuse)
            {
                return Task.FromResult(RateDecision.Wait(TimeSpan.FromSeconds(1)));
            }
            Taken.Add(awsAction);
            return Task.FromResult(RateDecision.Granted);
        }
    }

    /// <summary>A port plan-owned calls never touch: any call on it fails the test.</summary>
    public class Unused<T> : DispatchProxy where T : class
    {
        public static T Port() => Create<T, Unused<T>>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"{typeof(T).Name}.{targetMethod?.Name} was called by a plan-owned call");
    }
}
