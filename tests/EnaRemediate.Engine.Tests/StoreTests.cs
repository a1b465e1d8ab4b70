using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;

namespace EnaRemediate.Engine.Tests;

/// <summary>
/// The in-memory store keeps the lock and version rules every store keeps (the CLI's SQLite store:
/// tests/EnaRemediate.Cli.Tests/Records; DynamoDB: tests/EnaRemediate.Functions.Tests/Dynamo).
/// </summary>
public sealed class StoreTests
{
    private static RemediationRecord Record(string id, string instance) => new()
    {
        RemediationId = id, InstanceId = instance, Plan = "fallback", Trigger = "test",
        CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task OneUnfinishedRecordPerInstance()
    {
        var store = new InMemoryRemediationStore();
        Assert.True((await store.TryCreateAsync(Record("r1", "i-1"))).Created);
        var second = await store.TryCreateAsync(Record("r2", "i-1"));
        Assert.False(second.Created);
        Assert.Equal("r1", second.Record.RemediationId);

        var r1 = (await store.GetAsync("r1"))!;
        await store.SaveAsync(r1 with { Outcome = "recovered" }, r1.Version);
        Assert.True((await store.TryCreateAsync(Record("r3", "i-1"))).Created);
        Assert.Equal(["r1", "r3"], (await store.HistoryAsync("i-1")).Select(r => r.RemediationId));
    }

    [Fact]
    public async Task StaleSaveIsAConflict()
    {
        var store = new InMemoryRemediationStore();
        var created = (await store.TryCreateAsync(Record("r1", "i-1"))).Record;
        var saved = await store.SaveAsync(created with { Step = "stop" }, created.Version);
        Assert.Equal(created.Version + 1, saved.Version);
        await Assert.ThrowsAsync<StoreConflictException>(() => store.SaveAsync(created with { Step = "ena-off" }, created.Version));
        Assert.Equal("stop", (await store.GetAsync("r1"))!.Step);
    }
}
