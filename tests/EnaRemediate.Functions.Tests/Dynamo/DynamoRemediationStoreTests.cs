using Amazon.DynamoDBv2.Model;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Core.Engine;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Dynamo;

/// <summary>The DynamoDB store against the real dynalite server: the lock, versions, TTL and the audit log.</summary>
public sealed class DynamoRemediationStoreTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(90);

    private async Task<(DynamoRemediationStore Store, string Table)> NewStoreAsync()
    {
        var table = await dynalite.CreateTableAsync();
        return (new DynamoRemediationStore(dynalite.Client, table, Retention), table);
    }

    private static RemediationRecord Record(string id, string instance, DateTimeOffset at) => new()
    {
        RemediationId = id,
        InstanceId = instance,
        Plan = "fallback",
        Trigger = "alarm",
        TriggerDetail = "eventbridge:ena-check",
        CreatedAt = at,
        UpdatedAt = at,
    };

    [Fact]
    public async Task Parallel_creators_for_one_instance_leave_exactly_one_winner()
    {
        var (store, _) = await NewStoreAsync();
        var attempts = Enumerable.Range(0, 12)
            .Select(i => Task.Run(() => store.TryCreateAsync(Record($"rem-{i}", "i-0123456789abcdef0", T0.AddSeconds(i)))))
            .ToArray();
        var results = await Task.WhenAll(attempts);

        var winners = results.Where(r => r.Created).ToList();
        Assert.Single(winners);
        Assert.All(results, r => Assert.Equal(winners[0].Record.RemediationId, r.Record.RemediationId));
        Assert.Single(await store.ListUnfinishedAsync());
    }

    [Fact]
    public async Task Different_instances_do_not_block_each_other()
    {
        var (store, _) = await NewStoreAsync();
        var a = await store.TryCreateAsync(Record("rem-a", "i-0123456789abcdef0", T0));
        var b = await store.TryCreateAsync(Record("rem-b", "i-00000001", T0));
        Assert.True(a.Created);
        Assert.True(b.Created);
        Assert.Equal(2, (await store.ListUnfinishedAsync()).Count);
    }

    [Fact]
    public async Task Save_with_a_stale_version_is_a_conflict_and_changes_nothing()
    {
        var (store, _) = await NewStoreAsync();
        var created = (await store.TryCreateAsync(Record("rem-1", "i-0123456789abcdef0", T0))).Record;
        var first = await store.SaveAsync(created with { Step = "stop", UpdatedAt = T0.AddMinutes(1) }, created.Version);
        Assert.Equal(created.Version + 1, first.Version);

        var conflict = await Assert.ThrowsAsync<StoreConflictException>(() =>
            store.SaveAsync(created with { Step = "start" }, created.Version));
        Assert.Equal("rem-1", conflict.RemediationId);

        var stored = await store.GetAsync("rem-1");
        Assert.Equal("stop", stored!.Step);
        Assert.Equal(first.Version, stored.Version);
    }

    [Fact]
    public async Task Finishing_frees_the_lock_archives_with_a_ttl_and_keeps_the_record_readable()
    {
        var (store, table) = await NewStoreAsync();
        var created = (await store.TryCreateAsync(Record("rem-1", "i-0123456789abcdef0", T0))).Record;
        var finishedAt = T0.AddMinutes(40);
        await store.SaveAsync(created with { Outcome = "recovered", OutcomeReason = "ENA bound again", UpdatedAt = finishedAt }, created.Version);

        Assert.Empty(await store.ListUnfinishedAsync());
        var read = await store.GetAsync("rem-1");
        Assert.Equal("recovered", read!.Outcome);

        var archived = await dynalite.Client.QueryAsync(new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = "pk = :pk AND begins_with(sk, :rec)",
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = DynamoTableLayout.InstanceKey("i-0123456789abcdef0") }, [":rec"] = new AttributeValue { S = "rec#" } },
        });
        var item = Assert.Single(archived.Items);
        Assert.Equal(finishedAt.Add(Retention).ToUnixTimeSeconds().ToString(), item[DynamoTableLayout.TtlAttribute].N);

        var next = await store.TryCreateAsync(Record("rem-2", "i-0123456789abcdef0", T0.AddHours(2)));
        Assert.True(next.Created);
    }

    [Fact]
    public async Task Unfinished_records_carry_no_ttl()
    {
        var (store, table) = await NewStoreAsync();
        await store.TryCreateAsync(Record("rem-1", "i-0123456789abcdef0", T0));
        var active = await dynalite.Client.GetItemAsync(table, new()
        {
            [DynamoTableLayout.PartitionKey] = new AttributeValue { S = DynamoTableLayout.InstanceKey("i-0123456789abcdef0") },
            [DynamoTableLayout.SortKey] = new AttributeValue { S = DynamoTableLayout.ActiveSortKey },
        });
        Assert.False(active.Item.ContainsKey(DynamoTableLayout.TtlAttribute));
    }

    [Fact]
    public async Task History_reads_oldest_first_and_latest_is_the_newest()
    {
        var (store, _) = await NewStoreAsync();
        const string instance = "i-0123456789abcdef0";
        for (var i = 0; i < 3; i++)
        {
            var at = T0.AddHours(i);
            var created = (await store.TryCreateAsync(Record($"rem-{i}", instance, at))).Record;
            var history = created.History.Add(new HistoryEntry(at, "start", $"incident {i}"));
            await store.SaveAsync(created with { History = history, Outcome = i == 1 ? "refused" : "recovered", UpdatedAt = at.AddMinutes(5) }, created.Version);
        }
        var running = (await store.TryCreateAsync(Record("rem-3", instance, T0.AddHours(3)))).Record;

        var log = await store.HistoryAsync(instance);
        Assert.Equal(["rem-0", "rem-1", "rem-2", "rem-3"], log.Select(r => r.RemediationId));
        Assert.Equal("incident 1", log[1].History.Single().Event);
        Assert.Equal(running.RemediationId, (await store.GetLatestAsync(instance))!.RemediationId);
        Assert.Null(await store.GetLatestAsync("i-00000001"));
        Assert.Null(await store.GetAsync("rem-unknown"));
    }

    [Fact]
    public async Task A_finished_record_left_in_the_slot_by_a_crash_does_not_block_the_next_remediation()
    {
        var (store, table) = await NewStoreAsync();
        const string instance = "i-0123456789abcdef0";
        var created = (await store.TryCreateAsync(Record("rem-1", instance, T0))).Record;
        // Simulate a crash after the finishing write and before archiving: the slot holds a finished record.
        var finished = created with { Outcome = "recovered", UpdatedAt = T0.AddMinutes(30), Version = created.Version + 1 };
        await dynalite.Client.PutItemAsync(table, new()
        {
            [DynamoTableLayout.PartitionKey] = new AttributeValue { S = DynamoTableLayout.InstanceKey(instance) },
            [DynamoTableLayout.SortKey] = new AttributeValue { S = DynamoTableLayout.ActiveSortKey },
            [DynamoTableLayout.RemediationId] = new AttributeValue { S = "rem-1" },
            [DynamoTableLayout.InstanceId] = new AttributeValue { S = instance },
            [DynamoTableLayout.Version] = new AttributeValue { N = finished.Version.ToString() },
            [DynamoTableLayout.Finished] = new AttributeValue { BOOL = true },
            [DynamoTableLayout.Body] = new AttributeValue { S = System.Text.Json.JsonSerializer.Serialize(finished, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)) },
        });

        var next = await store.TryCreateAsync(Record("rem-2", instance, T0.AddHours(1)));
        Assert.True(next.Created);
        Assert.Equal("recovered", (await store.GetAsync("rem-1"))!.Outcome);
        Assert.Equal(["rem-1", "rem-2"], (await store.HistoryAsync(instance)).Select(r => r.RemediationId));
    }

    [Fact]
    public async Task Record_fields_round_trip_through_the_json_body()
    {
        var (store, _) = await NewStoreAsync();
        var record = Record("rem-1", "i-0123456789abcdef0", T0) with
        {
            DryRun = true,
            Memo = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("foundState", "running"),
            UndoLog = [new UndoEntry("ec2:ModifyInstanceAttribute", "turn ENA back on", System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("EnaSupport", "true"), T0)],
            NextLookAt = T0.AddMinutes(1),
        };
        await store.TryCreateAsync(record);
        var read = (await store.GetAsync("rem-1"))!;
        Assert.True(read.DryRun);
        Assert.Equal("running", read.Memo["foundState"]);
        Assert.Equal("true", read.UndoLog.Single().Parameters["EnaSupport"]);
        Assert.Equal(T0.AddMinutes(1), read.NextLookAt);
        Assert.Equal(1, read.Version);
    }
}
