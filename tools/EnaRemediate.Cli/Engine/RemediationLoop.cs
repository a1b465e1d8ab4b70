using EnaRemediate.Core.Engine;

namespace EnaRemediate.Cli.Engine;

/// <summary>
/// The CLI's Step Functions: Advance, then sleep what it asked for on the given clock (the real
/// one, or the simulator's; on simulate's stepped clock the sleep is a jump of simulated time, with
/// no real waiting), until every record has an outcome. A stop request (the first Ctrl-C
/// or SIGTERM) lets the Advance in flight finish and its results be saved, then ends the loop; an
/// abandon request (a second signal) cancels the calls in flight too, which is safe because every
/// call's intent is saved before it is made. Either way the records stay in the store.
/// </summary>
internal static class RemediationLoop
{
    /// <summary>How the loop ended: <see cref="Last"/> is null when it was stopped before its first Advance finished.</summary>
    public sealed record End(AdvanceResult? Last, bool Interrupted);

    public static async Task<End> RunAsync(RemediationService service, IReadOnlyList<string> remediationIds, TimeProvider clock,
        Action<AdvanceResult> onProgress, CancellationToken stop, CancellationToken abandon = default, Func<AdvanceResult, Task>? afterAdvance = null)
    {
        AdvanceResult? last = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                last = await service.AdvanceAsync(remediationIds, abandon);
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                return new End(last, Interrupted: true);
            }
            onProgress(last);
            if (last.Done)
            {
                return new End(last, Interrupted: false);
            }
            if (afterAdvance is not null)
            {
                await afterAdvance(last);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(last.WaitSeconds), clock, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return new End(last, Interrupted: true);
    }
}
