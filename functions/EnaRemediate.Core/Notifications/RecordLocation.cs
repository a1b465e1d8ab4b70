namespace EnaRemediate.Core.Notifications;

/// <summary>Where a reader finds the full record: the DynamoDB table and key, and the CLI command that prints it.</summary>
public sealed record RecordLocation(string TableName)
{
    public string KeyOf(string remediationId) => $"pk=rem#{remediationId}, sk=rem";

    public string HistoryCommand(string remediationId) => $"enaremediate history {remediationId} --store dynamodb:{TableName}";
}
