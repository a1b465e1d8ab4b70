using EnaRemediate.Core.Engine;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// Every record of one workflow as it stands, read without taking a step: what the end
/// notification of a fan-out is composed from once all its batches have ended.
/// </summary>
public sealed class RunSummary(IRemediationStore store, TimeProvider time)
{
    /// <summary>Reads at once; the store's reads are independent single-item gets.</summary>
    private const int ParallelReads = 16;

    public async Task<(AdvanceResult Result, WorkflowError? Error)> ReadAsync(IReadOnlyList<string> remediationIds, CancellationToken cancellationToken)
    {
        var records = new RemediationRecord?[remediationIds.Count];
        await Parallel.ForAsync(0, remediationIds.Count, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken },
            async (i, token) => records[i] = await store.GetAsync(remediationIds[i], token));
        var now = time.GetUtcNow();
        var summaries = records.OfType<RemediationRecord>().Select(r => RecordSummary.From(r, now)).OrderBy(s => s.InstanceId, StringComparer.Ordinal).ToList();
        var unknown = remediationIds.Where((_, i) => records[i] is null).ToList();
        var unfinished = summaries.Count(s => s.Outcome is null);
        var result = new AdvanceResult(unfinished == 0, 0, summaries) { UnknownRemediationIds = unknown };
        var error = unfinished == 0 ? null : new WorkflowError("RemediationUnfinished",
            $"{unfinished} of {summaries.Count} records have no outcome: a batch of the workflow failed; each record's history says where it stopped, and the sweep resumes them.");
        return (result, error);
    }
}
