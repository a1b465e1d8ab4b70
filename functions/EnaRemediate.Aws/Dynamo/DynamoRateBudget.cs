using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using EnaRemediate.Core;
using EnaRemediate.Core.Engine.Ports;
using L = EnaRemediate.Aws.Dynamo.DynamoTableLayout;

namespace EnaRemediate.Aws.Dynamo;

/// <summary>
/// EC2's per-account token buckets as one item per action in the records table, so that every
/// Advance of every execution (each Lambda environment its own process) takes from the same
/// budget. A take reads the item, refills it by the time elapsed since it was last written, and
/// writes it back one token lighter on condition that nobody wrote it meanwhile (its version);
/// a lost race reads again. Only single-item GetItem/PutItem, like the record store.
/// </summary>
/// <remarks>
/// Callers' clocks differ a little. The item keeps the latest time any taker has seen, and a
/// taker whose clock is behind it refills nothing (it never moves the time back), so a skew of S
/// can add at most S seconds' worth of refill and never lets the slower caller mint tokens.
/// </remarks>
public sealed class DynamoRateBudget(IAmazonDynamoDB dynamo, string tableName, TimeProvider time) : IRateBudget
{
    /// <summary>Races lost in a row before the take is deferred (each loss means someone else got a token).</summary>
    private const int MaxRaces = 8;

    /// <summary>How long a take waits when the table cannot be reached (never a call without a token).</summary>
    private static readonly TimeSpan Unreachable = TimeSpan.FromSeconds(5);

    [AwsAction("dynamodb:GetItem")]
    [AwsAction("dynamodb:PutItem")]
    public async Task<RateDecision> TryTakeAsync(string awsAction, (int Size, double RefillPerSecond) limit, CancellationToken cancellationToken)
    {
        try
        {
            return await TakeAsync(awsAction, limit, cancellationToken);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Throttled or unreachable: the record waits and asks again, as after a throttled EC2 call.
            return RateDecision.Wait(Unreachable);
        }
    }

    private async Task<RateDecision> TakeAsync(string awsAction, (int Size, double RefillPerSecond) limit, CancellationToken cancellationToken)
    {
        for (var race = 0; race < MaxRaces; race++)
        {
            var item = (await dynamo.GetItemAsync(new GetItemRequest
            {
                TableName = tableName,
                Key = Key(awsAction),
                ConsistentRead = true,
            }, cancellationToken)).Item;
            var bucket = item is { Count: > 0 } ? Bucket.From(item) : null;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var at = Math.Max(bucket?.At ?? now, now);
            var elapsed = bucket is null ? 0 : (at - bucket.At) / 1000.0;
            var tokens = Math.Min(limit.Size, (bucket?.Tokens ?? limit.Size) + elapsed * limit.RefillPerSecond);
            if (tokens < 1)
            {
                return RateDecision.Wait(TimeSpan.FromSeconds((1 - tokens) / limit.RefillPerSecond));
            }
            try
            {
                await dynamo.PutItemAsync(new PutItemRequest
                {
                    TableName = tableName,
                    Item = new Dictionary<string, AttributeValue>(Key(awsAction))
                    {
                        [L.Tokens] = new() { N = (tokens - 1).ToString("R", CultureInfo.InvariantCulture) },
                        [L.BucketTime] = Number(at),
                        [L.Version] = Number((bucket?.Version ?? 0) + 1),
                    },
                    ConditionExpression = bucket is null ? "attribute_not_exists(pk)" : "#v = :v",
                    ExpressionAttributeNames = bucket is null ? null : new() { ["#v"] = L.Version },
                    ExpressionAttributeValues = bucket is null ? null : new() { [":v"] = Number(bucket.Version) },
                }, cancellationToken);
                return RateDecision.Granted;
            }
            catch (ConditionalCheckFailedException)
            {
                // Another taker wrote the bucket between our read and write: read it again.
            }
        }
        // Everyone else keeps winning: the bucket is busy, so this call waits about one token's refill.
        return RateDecision.Wait(TimeSpan.FromSeconds(1 / limit.RefillPerSecond));
    }

    private sealed record Bucket(double Tokens, long At, long Version)
    {
        public static Bucket From(Dictionary<string, AttributeValue> item) => new(
            double.Parse(item[L.Tokens].N, CultureInfo.InvariantCulture),
            long.Parse(item[L.BucketTime].N, CultureInfo.InvariantCulture),
            long.Parse(item[L.Version].N, CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, AttributeValue> Key(string awsAction) => new()
    {
        [L.PartitionKey] = new AttributeValue { S = L.BucketKey(awsAction) },
        [L.SortKey] = new AttributeValue { S = L.BucketSortKey },
    };

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}
