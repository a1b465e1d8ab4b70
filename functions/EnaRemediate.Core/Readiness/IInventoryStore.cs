namespace EnaRemediate.Core.Readiness;

/// <summary>Where the scheduled inventory keeps its answers: the latest row per instance and one summary per run.</summary>
public interface IInventoryStore
{
    [AwsAction("dynamodb:PutItem")]
    Task SaveAsync(InventoryReport report, DateTimeOffset at, CancellationToken cancellationToken);
}
