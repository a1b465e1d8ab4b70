using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;

namespace EnaRemediate.Engine.Tests;

/// <summary>Both local stores keep the lock and version rules; the file store survives a restart.</summary>
public sealed class StoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "enaremediate-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static RemediationRecord Record(string id, string instance) => new()
    {
        RemediationId = id, InstanceId = instance, Plan = "fallback", Trigger = "test",
        CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    public static TheoryData<string> Kinds => new() { "memory", "file" };

    private IRemediationStore Open(string kind) => kind == "file" ? new JsonFileRemediationStore(_dir) : new InMemoryRemediationStore();

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task OneUnfinishedRecordPerInstance(string kind)
    {
        var store = Open(kind);
        Assert.True((await store.TryCreateAsync(Record("r1", "i-1"))).Created);
        var second = await store.TryCreateAsync(Record("r2", "i-1"));
        Assert.False(second.Created);
        Assert.Equal("r1", second.Record.RemediationId);

        var r1 = (await store.GetAsync("r1"))!;
        await store.SaveAsync(r1 with { Outcome = "recovered" }, r1.Version);
        Assert.True((await store.TryCreateAsync(Record("r3", "i-1"))).Created);
        Assert.Equal(["r1", "r3"], (await store.HistoryAsync("i-1")).Select(r => r.RemediationId));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task StaleSaveIsAConflict(string kind)
    {
        var store = Open(kind);
        var created = (await store.TryCreateAsync(Record("r1", "i-1"))).Record;
        var saved = await store.SaveAsync(created with { Step = "stop" }, created.Version);
        Assert.Equal(created.Version + 1, saved.Version);
        await Assert.ThrowsAsync<StoreConflictException>(() => store.SaveAsync(created with { Step = "ena-off" }, created.Version));
        Assert.Equal("stop", (await store.GetAsync("r1"))!.Step);
    }

    [Fact]
    public async Task FileStoreReloadsEveryRecordAfterARestart()
    {
        var store = new JsonFileRemediationStore(_dir);
        var created = (await store.TryCreateAsync(Record("i-1-20261127-abc", "i-1"))).Record;
        await store.SaveAsync(created with { Step = "ena-off", UndoLog = [new UndoEntry("start-again", "restart", System.Collections.Immutable.ImmutableDictionary<string, string>.Empty, DateTimeOffset.UnixEpoch)] }, created.Version);

        var reopened = new JsonFileRemediationStore(_dir);
        var record = Assert.Single(await reopened.ListUnfinishedAsync());
        Assert.Equal("ena-off", record.Step);
        Assert.Single(record.UndoLog);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }
}
