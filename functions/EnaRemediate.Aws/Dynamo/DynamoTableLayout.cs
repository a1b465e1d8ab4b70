namespace EnaRemediate.Aws.Dynamo;

/// <summary>
/// The table's key layout, shared by the store, the tests that create the table in dynalite and
/// the test that compares it with template.yaml. One table, string keys pk/sk:
/// <list type="bullet">
/// <item><c>inst#&lt;instanceId&gt;</c> / <c>active</c>: the instance's unfinished record. Its existence is
/// the per-instance lock: it is created only with <c>attribute_not_exists(pk)</c> (or over a finished one).</item>
/// <item><c>inst#&lt;instanceId&gt;</c> / <c>rec#&lt;createdAt&gt;#&lt;id&gt;</c>: finished records, oldest first, expiring by TTL.</item>
/// <item><c>rem#&lt;remediationId&gt;</c> / <c>rem</c>: where a record id lives (instance and history key).</item>
/// <item><c>rate#&lt;awsAction&gt;</c> / <c>bucket</c>: the account's token bucket for one EC2/SSM action, shared by every execution (<see cref="DynamoRateBudget"/>).</item>
/// </list>
/// Each record is a JSON blob (<see cref="Body"/>) next to the few attributes that keys,
/// conditions and filters need, so record fields can grow without a table change.
/// </summary>
public static class DynamoTableLayout
{
    public const string PartitionKey = "pk";
    public const string SortKey = "sk";
    public const string ActiveSortKey = "active";
    public const string PointerSortKey = "rem";
    public const string TtlAttribute = "expiresAt";

    public const string Body = "body";
    public const string Version = "version";
    public const string Finished = "finished";
    public const string RemediationId = "remediationId";
    public const string InstanceId = "instanceId";
    public const string HistoryKey = "historyKey";

    public const string BucketSortKey = "bucket";
    public const string Tokens = "tokens";
    public const string BucketTime = "at";

    public static string InstanceKey(string instanceId) => "inst#" + instanceId;
    public static string BucketKey(string awsAction) => "rate#" + awsAction;
    public static string PointerKey(string remediationId) => "rem#" + remediationId;
    public static string HistorySortKey(DateTimeOffset createdAt, string remediationId) =>
        "rec#" + createdAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture) + "#" + remediationId;
}
