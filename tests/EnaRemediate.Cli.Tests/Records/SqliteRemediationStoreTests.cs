using EnaRemediate.Cli.Records;
using EnaRemediate.Cli.Tests.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;

namespace EnaRemediate.Cli.Tests.Records;

/// <summary>The SQLite store keeps the DynamoDB store's rules across connections, and says clearly when its file is not a record database.</summary>
public sealed class SqliteRemediationStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "enaremediate-sqlite-" + Guid.NewGuid().ToString("N"));

    private string DbPath => Path.Combine(_dir, "records.db");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static RemediationRecord Record(string id, string instance, int second = 0) => new()
    {
        RemediationId = id, InstanceId = instance, Plan = "fallback", Trigger = "test",
        CreatedAt = DateTimeOffset.UnixEpoch.AddSeconds(second), UpdatedAt = DateTimeOffset.UnixEpoch.AddSeconds(second),
    };

    [Fact]
    public async Task OneUnfinishedRecordPerInstanceAndTheHistoryInOrder()
    {
        var store = new SqliteRemediationStore(DbPath);
        Assert.True((await store.TryCreateAsync(Record("r1", "i-1"))).Created);
        var second = await store.TryCreateAsync(Record("r2", "i-1", 1));
        Assert.False(second.Created);
        Assert.Equal("r1", second.Record.RemediationId);

        var r1 = (await store.GetAsync("r1"))!;
        await store.SaveAsync(r1 with { Outcome = "recovered" }, r1.Version);
        Assert.True((await store.TryCreateAsync(Record("r3", "i-1", 2))).Created);
        Assert.Equal(["r1", "r3"], (await store.HistoryAsync("i-1")).Select(r => r.RemediationId));
        Assert.Equal("r3", (await store.GetLatestAsync("i-1"))!.RemediationId);
        Assert.Equal(["r3"], (await store.ListUnfinishedAsync()).Select(r => r.RemediationId));
    }

    [Fact]
    public async Task AStaleSaveIsAConflictAndChangesNothing()
    {
        var store = new SqliteRemediationStore(DbPath);
        var created = (await store.TryCreateAsync(Record("r1", "i-1"))).Record;
        var saved = await store.SaveAsync(created with { Step = "stop" }, created.Version);
        Assert.Equal(created.Version + 1, saved.Version);

        // Another process's copy of the store, holding the old version.
        var other = new SqliteRemediationStore(DbPath);
        await Assert.ThrowsAsync<StoreConflictException>(() => other.SaveAsync(created with { Step = "ena-off" }, created.Version));
        Assert.Equal("stop", (await store.GetAsync("r1"))!.Step);
    }

    [Fact]
    public async Task ParallelCreatorsOnSeparateConnectionsLeaveExactlyOneWinner()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            Task.Run(() => new SqliteRemediationStore(DbPath).TryCreateAsync(Record($"r{i}", "i-1", i)))));

        var winner = Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal(winner.Record.RemediationId, r.Record.RemediationId));
        Assert.Single(await new SqliteRemediationStore(DbPath).ListUnfinishedAsync());
    }

    [Fact]
    public void AFileThatIsNotADatabaseIsAClearStoreError()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(DbPath, "{\"this is\": \"an old JSON record, not SQLite\"}" + new string('x', 4096));

        var error = Assert.Throws<RecordStoreException>(() => new SqliteRemediationStore(DbPath));
        Assert.Contains("is not a readable enaremediate record database", error.Message);
        Assert.Contains("nothing was changed", error.Message);
    }

    [Fact]
    public async Task ACorruptStoreIsExitCode3WithOneClearLineAndNoCall()
    {
        Directory.CreateDirectory(_dir);
        await File.WriteAllBytesAsync(DbPath, Enumerable.Range(0, 8192).Select(i => (byte)(i * 7)).ToArray());

        var run = await CliProcess.RunAsync(["remediate", "--instance-id", "i-0123456789abcdef0", "--yes", "--store", DbPath, "--endpoint-url", "http://127.0.0.1:9/"]);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("is not a readable enaremediate record database", run.Stderr);
        Assert.DoesNotContain("Exception", run.Stdout + run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public async Task ARecordThatIsNotJsonIsAClearStoreError()
    {
        var store = new SqliteRemediationStore(DbPath);
        await store.TryCreateAsync(Record("r1", "i-1"));
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE records SET body = '{\"remediationId\": [truncated'";
            command.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<RecordStoreException>(() => store.GetAsync("r1"));
        Assert.Contains("cannot be read", error.Message);
    }

    [Fact]
    public async Task TheDefaultStoreTakesInTheJsonRecordsOfAnOlderVersionOnce()
    {
        var home = Path.Combine(_dir, "home");
        var legacy = Path.Combine(home, ".enaremediate", "records");
        Directory.CreateDirectory(legacy);
        var old = Record("i-1-20261101T000000-aaaaaaaa", "i-0123456789abcdef0") with { Step = "ena-off", Version = 4 };
        await File.WriteAllTextAsync(Path.Combine(legacy, "a.json"), System.Text.Json.JsonSerializer.Serialize(old, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
        await File.WriteAllTextAsync(Path.Combine(legacy, "b.json"), "not json");
        var environment = new Dictionary<string, string> { ["HOME"] = home, ["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share") };

        var run = await CliProcess.RunAsync(["status", "--format", "json"], environment);

        Assert.True(run.ExitCode is 0 or 2, run.Stderr);
        Assert.Contains("took 1 record(s) of an older version", run.Stderr);
        Assert.Contains("1 file(s) could not be read", run.Stderr);
        Assert.Contains(old.RemediationId, run.Stdout);
        var again = await CliProcess.RunAsync(["status", "--format", "json"], environment);
        Assert.DoesNotContain("older version", again.Stderr);
        var record = Assert.Single(await new SqliteRemediationStore(Path.Combine(home, ".enaremediate", "records.db")).ListUnfinishedAsync());
        Assert.Equal(4, record.Version);
    }
}
