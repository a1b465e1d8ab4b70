using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EnaRemediate.Core;
using EnaRemediate.Core.Engine;
using L = EnaRemediate.Aws.Dynamo.DynamoTableLayout;

namespace EnaRemediate.Aws.Dynamo;

/// <summary>
/// Remediation records in DynamoDB (layout: <see cref="DynamoTableLayout"/>). Only single-item
/// conditional writes are used (no transactions), so every crash point leaves a state the next
/// call repairs: a finished record still in the active slot counts as free and is copied to the
/// history before it is replaced.
/// </summary>
public sealed class DynamoRemediationStore(IAmazonDynamoDB dynamo, string tableName, TimeSpan retention) : IRemediationStore
{
    [AwsAction("dynamodb:PutItem")]
    [AwsAction("dynamodb:GetItem")]
    public async Task<StoreCreateResult> TryCreateAsync(RemediationRecord record, CancellationToken cancellationToken = default)
    {
        var created = record with { Version = 1 };
        // The pointer first: if we die before the active item exists it points at nothing, which reads as "no record".
        await PutPointerAsync(created, cancellationToken);
        while (true)
        {
            var current = await GetActiveAsync(record.InstanceId, cancellationToken);
            if (current is { IsFinished: false }) return new StoreCreateResult(false, current);
            if (current is not null) await PutHistoryAsync(current, cancellationToken);
            try
            {
                await dynamo.PutItemAsync(new PutItemRequest
                {
                    TableName = tableName,
                    Item = ActiveItem(created),
                    // Exactly one creator wins: the slot must be empty, or hold the finished record we just archived.
                    ConditionExpression = current is null ? "attribute_not_exists(pk)" : "#v = :v AND #f = :true",
                    ExpressionAttributeNames = current is null ? null : new() { ["#v"] = L.Version, ["#f"] = L.Finished },
                    ExpressionAttributeValues = current is null ? null : new() { [":v"] = Number(current.Version), [":true"] = new AttributeValue { BOOL = true } },
                }, cancellationToken);
                return new StoreCreateResult(true, created);
            }
            catch (ConditionalCheckFailedException)
            {
                // Someone else changed the slot between our read and write: look again.
            }
        }
    }

    [AwsAction("dynamodb:GetItem")]
    [AwsAction("dynamodb:Query")]
    public async Task<RemediationRecord?> GetLatestAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var active = await GetActiveAsync(instanceId, cancellationToken);
        if (active is not null) return active;
        var history = await QueryHistoryAsync(instanceId, newestFirst: true, limit: 1, cancellationToken);
        return history.FirstOrDefault();
    }

    [AwsAction("dynamodb:GetItem")]
    public async Task<RemediationRecord?> GetAsync(string remediationId, CancellationToken cancellationToken = default)
    {
        var pointer = await GetItemAsync(L.PointerKey(remediationId), L.PointerSortKey, cancellationToken);
        if (pointer is null) return null;
        var instanceId = pointer[L.InstanceId].S;
        var active = await GetActiveAsync(instanceId, cancellationToken);
        if (active?.RemediationId == remediationId) return active;
        var archived = await GetItemAsync(L.InstanceKey(instanceId), pointer[L.HistoryKey].S, cancellationToken);
        return archived is null ? null : RecordJson.Deserialize(archived[L.Body].S);
    }

    [AwsAction("dynamodb:PutItem")]
    [AwsAction("dynamodb:DeleteItem")]
    public async Task<RemediationRecord> SaveAsync(RemediationRecord record, long expectedVersion, CancellationToken cancellationToken = default)
    {
        var saved = record with { Version = expectedVersion + 1 };
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = ActiveItem(saved),
                ConditionExpression = "#id = :id AND #v = :v AND #f = :false",
                ExpressionAttributeNames = new() { ["#id"] = L.RemediationId, ["#v"] = L.Version, ["#f"] = L.Finished },
                ExpressionAttributeValues = new()
                {
                    [":id"] = new AttributeValue { S = record.RemediationId },
                    [":v"] = Number(expectedVersion),
                    [":false"] = new AttributeValue { BOOL = false },
                },
            }, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            throw new StoreConflictException(record.RemediationId, expectedVersion);
        }
        if (saved.IsFinished) await ArchiveAsync(saved, cancellationToken);
        return saved;
    }

    [AwsAction("dynamodb:Scan")]
    public async Task<IReadOnlyList<RemediationRecord>> ListUnfinishedAsync(CancellationToken cancellationToken = default)
    {
        var records = new List<RemediationRecord>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest
            {
                TableName = tableName,
                FilterExpression = "#sk = :active AND #f = :false",
                ExpressionAttributeNames = new() { ["#sk"] = L.SortKey, ["#f"] = L.Finished },
                ExpressionAttributeValues = new() { [":active"] = new AttributeValue { S = L.ActiveSortKey }, [":false"] = new AttributeValue { BOOL = false } },
                ExclusiveStartKey = start,
            }, cancellationToken);
            records.AddRange((page.Items ?? []).Select(i => RecordJson.Deserialize(i[L.Body].S)));
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return records.OrderBy(r => r.CreatedAt).ToList();
    }

    [AwsAction("dynamodb:Query")]
    [AwsAction("dynamodb:GetItem")]
    public async Task<IReadOnlyList<RemediationRecord>> HistoryAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var archived = await QueryHistoryAsync(instanceId, newestFirst: false, limit: null, cancellationToken);
        var active = await GetActiveAsync(instanceId, cancellationToken);
        // A finished record may sit in both places for a moment (archived, not yet released): show it once.
        if (active is not null && archived.All(r => r.RemediationId != active.RemediationId))
            archived.Add(active);
        return archived.OrderBy(r => r.CreatedAt).ToList();
    }

    /// <summary>Copies the finished record to the history, then frees the slot if nobody changed it meanwhile.</summary>
    private async Task ArchiveAsync(RemediationRecord finished, CancellationToken cancellationToken)
    {
        await PutHistoryAsync(finished, cancellationToken);
        try
        {
            await dynamo.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = tableName,
                Key = Key(L.InstanceKey(finished.InstanceId), L.ActiveSortKey),
                ConditionExpression = "#id = :id AND #v = :v",
                ExpressionAttributeNames = new() { ["#id"] = L.RemediationId, ["#v"] = L.Version },
                ExpressionAttributeValues = new() { [":id"] = new AttributeValue { S = finished.RemediationId }, [":v"] = Number(finished.Version) },
            }, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // A new remediation already took the slot (it archived this one first): nothing to free.
        }
    }

    private Task PutHistoryAsync(RemediationRecord record, CancellationToken cancellationToken)
    {
        var item = RecordItem(record, L.InstanceKey(record.InstanceId), L.HistorySortKey(record.CreatedAt, record.RemediationId));
        item[L.TtlAttribute] = Number(ExpiresAt(record.UpdatedAt));
        return dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item }, cancellationToken);
    }

    private Task PutPointerAsync(RemediationRecord record, CancellationToken cancellationToken) =>
        dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new()
            {
                [L.PartitionKey] = new AttributeValue { S = L.PointerKey(record.RemediationId) },
                [L.SortKey] = new AttributeValue { S = L.PointerSortKey },
                [L.InstanceId] = new AttributeValue { S = record.InstanceId },
                [L.HistoryKey] = new AttributeValue { S = L.HistorySortKey(record.CreatedAt, record.RemediationId) },
                // Outlives the record it points to: a remediation runs hours, not weeks.
                [L.TtlAttribute] = Number(ExpiresAt(record.CreatedAt) + (long)TimeSpan.FromDays(30).TotalSeconds),
            },
        }, cancellationToken);

    private async Task<RemediationRecord?> GetActiveAsync(string instanceId, CancellationToken cancellationToken)
    {
        var item = await GetItemAsync(L.InstanceKey(instanceId), L.ActiveSortKey, cancellationToken);
        return item is null ? null : RecordJson.Deserialize(item[L.Body].S);
    }

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(string pk, string sk, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = Key(pk, sk), ConsistentRead = true }, cancellationToken);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    private async Task<List<RemediationRecord>> QueryHistoryAsync(string instanceId, bool newestFirst, int? limit, CancellationToken cancellationToken)
    {
        var records = new List<RemediationRecord>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.QueryAsync(new QueryRequest
            {
                TableName = tableName,
                ConsistentRead = true,
                KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :rec)",
                ExpressionAttributeNames = new() { ["#pk"] = L.PartitionKey, ["#sk"] = L.SortKey },
                ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = L.InstanceKey(instanceId) }, [":rec"] = new AttributeValue { S = "rec#" } },
                ScanIndexForward = !newestFirst,
                Limit = limit,
                ExclusiveStartKey = start,
            }, cancellationToken);
            records.AddRange((page.Items ?? []).Select(i => RecordJson.Deserialize(i[L.Body].S)));
            start = limit is null && page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return records;
    }

    private static Dictionary<string, AttributeValue> ActiveItem(RemediationRecord record) =>
        RecordItem(record, L.InstanceKey(record.InstanceId), L.ActiveSortKey);

    private static Dictionary<string, AttributeValue> RecordItem(RemediationRecord record, string pk, string sk) => new()
    {
        [L.PartitionKey] = new AttributeValue { S = pk },
        [L.SortKey] = new AttributeValue { S = sk },
        [L.RemediationId] = new AttributeValue { S = record.RemediationId },
        [L.InstanceId] = new AttributeValue { S = record.InstanceId },
        [L.Version] = Number(record.Version),
        [L.Finished] = new AttributeValue { BOOL = record.IsFinished },
        [L.Body] = new AttributeValue { S = RecordJson.Serialize(record) },
    };

    private long ExpiresAt(DateTimeOffset from) => from.Add(retention).ToUnixTimeSeconds();

    private static Dictionary<string, AttributeValue> Key(string pk, string sk) => new()
    {
        [L.PartitionKey] = new AttributeValue { S = pk },
        [L.SortKey] = new AttributeValue { S = sk },
    };

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}
