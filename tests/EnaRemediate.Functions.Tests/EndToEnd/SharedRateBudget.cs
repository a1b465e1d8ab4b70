using Amazon.DynamoDBv2.Model;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>What a fan-out's batches share: EC2's tokens, in the records table, since EC2's limits are per account.</summary>
public static class SharedRateBudget
{
    /// <summary>Every environment took each mutating action's tokens from the table's one bucket, not from its own process.</summary>
    public static async Task AssertTakenRepeatedlyAsync(Dynalite dynalite, Deployment deployment)
    {
        foreach (var action in new[] { "ec2:StopInstances", "ec2:StartInstances", "ec2:ModifyInstanceAttribute", "ssm:SendCommand" })
        {
            var bucket = await dynalite.Client.GetItemAsync(new GetItemRequest
            {
                TableName = deployment.Services.Settings.TableName,
                Key = new() { [DynamoTableLayout.PartitionKey] = new(DynamoTableLayout.BucketKey(action)), [DynamoTableLayout.SortKey] = new(DynamoTableLayout.BucketSortKey) },
                ConsistentRead = true,
            });
            Assert.True(bucket.Item is { Count: > 0 }, $"no shared bucket for {action}");
            Assert.True(long.Parse(bucket.Item[DynamoTableLayout.Version].N) > 1, $"the {action} bucket was taken from only once");
        }
    }
}
