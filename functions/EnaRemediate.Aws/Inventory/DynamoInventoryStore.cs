using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Aws.Inventory;

/// <summary>
/// The inventory's items in the records table, beside the remediation records (keys that cannot
/// collide with <see cref="DynamoTableLayout"/>'s): <c>inv#&lt;instanceId&gt;</c> / <c>latest</c> holds the
/// instance's latest row as JSON, <c>invrun</c> / <c>&lt;time&gt;</c> each run's counts and
/// <c>invfix</c> / <c>&lt;time&gt;</c> each run's auto-fix (targets, command ids, left alone), both expiring by TTL.
/// </summary>
public sealed class DynamoInventoryStore(IAmazonDynamoDB dynamo, string tableName, TimeSpan retention) : IInventoryStore
{
    public const string LatestSortKey = "latest";
    public const string RunPartitionKey = "invrun";
    public const string AutoFixPartitionKey = "invfix";
    public static string InstanceKey(string instanceId) => "inv#" + instanceId;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public async Task SaveAsync(InventoryReport report, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var checkedAt = Stamp(at);
        foreach (var row in report.Instances)
        {
            await Call(() => dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = tableName,
                Item = new()
                {
                    [DynamoTableLayout.PartitionKey] = new() { S = InstanceKey(row.InstanceId) },
                    [DynamoTableLayout.SortKey] = new() { S = LatestSortKey },
                    [DynamoTableLayout.InstanceId] = new() { S = row.InstanceId },
                    ["verdict"] = new() { S = row.Verdict.ToWireName() },
                    ["checkedAt"] = new() { S = checkedAt },
                    [DynamoTableLayout.Body] = new() { S = JsonSerializer.Serialize(row, Json) },
                },
            }, cancellationToken));
        }
        await PutRunItemAsync(RunPartitionKey, checkedAt, JsonSerializer.Serialize(report.Summary, Json), at, cancellationToken);
    }

    public Task SaveAutoFixAsync(AutoFixRun fix, DateTimeOffset at, CancellationToken cancellationToken) =>
        PutRunItemAsync(AutoFixPartitionKey, Stamp(at), JsonSerializer.Serialize(fix, Json), at, cancellationToken);

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>One item per run under <paramref name="partition"/>, expiring with the table's retention.</summary>
    private Task PutRunItemAsync(string partition, string sortKey, string body, DateTimeOffset at, CancellationToken cancellationToken) =>
        Call(() => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new()
            {
                [DynamoTableLayout.PartitionKey] = new() { S = partition },
                [DynamoTableLayout.SortKey] = new() { S = sortKey },
                [DynamoTableLayout.Body] = new() { S = body },
                [DynamoTableLayout.TtlAttribute] = new() { N = (at + retention).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
            },
        }, cancellationToken));

    private static Task<T> Call<T>(Func<Task<T>> call) => Engine.Ec2Adapter.Call("PutItem", call);
}
