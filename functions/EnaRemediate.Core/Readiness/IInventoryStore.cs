namespace EnaRemediate.Core.Readiness;

/// <summary>Where the scheduled inventory keeps its answers: the latest row per instance, one summary per run, and each run's auto-fix.</summary>
public interface IInventoryStore
{
    [AwsAction("dynamodb:PutItem")]
    Task SaveAsync(InventoryReport report, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>What the run's auto-fix planned, sent (with the command ids) and left alone.</summary>
    [AwsAction("dynamodb:PutItem")]
    Task SaveAutoFixAsync(AutoFixRun fix, DateTimeOffset at, CancellationToken cancellationToken);
}
