using EnaRemediate.Core.Engine;

namespace EnaRemediate.Cli.Engine;

/// <summary>
/// The CLI's Step Functions: Advance, then sleep what it asked for on the given clock (the real
/// one, or the simulator's), until every record has an outcome. Ctrl-C stops the loop between
/// Advances; the records stay in the store, and `remediate` resumes them on the next run.
/// </summary>
internal static class RemediationLoop
{
    public static async Task<AdvanceResult> RunAsync(RemediationService service, IReadOnlyList<string> remediationIds, TimeProvider clock,
        Action<AdvanceResult> onProgress, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await service.AdvanceAsync(remediationIds, cancellationToken);
            onProgress(result);
            if (result.Done)
            {
                return result;
            }
            await Task.Delay(TimeSpan.FromSeconds(result.WaitSeconds), clock, cancellationToken);
        }
    }
}
