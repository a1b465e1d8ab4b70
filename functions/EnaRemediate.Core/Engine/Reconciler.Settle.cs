using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// What a look does beyond its first read and decision: a record that moved on to a step reading
/// the description is described in the same look, and a record whose call changed an attribute of
/// its stopped instance is looked at again at once, so that neither waits a look for what EC2 already shows.
/// </summary>
public sealed partial class Reconciler
{
    /// <summary>
    /// Describes these records' instances (one DescribeInstances for them all) and decides each
    /// again from where it is now, with that description and the health its look's first read gave
    /// (health it did not read is read at the next look, as for any step that moves on to one that
    /// reads health). A record whose instance the read did not answer stays as it is (a record that
    /// moved on then looks again at once). With <paramref name="onlyMovedOn"/> a record the new
    /// decision leaves in the step it was found in is not touched.
    /// </summary>
    private async Task DecideDescribedAsync(List<(RemediationRecord Found, RemediationRecord Current, Observed First)> records, bool onlyMovedOn, BatchView batch, List<PendingAction> work, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (facts, _) = await TryGatherAsync(records.Select(r => r.Current).ToList(), NoHealth, describe: null, pingWhenChecksOk: null, pingOnlineOnly: null, cancellationToken);
        foreach (var (found, current, first) in records)
        {
            var (decided, action) = facts?.GetValueOrDefault(current.ActingOn) is { } described
                ? DecideIsolated(current, first with { Facts = WithHealthOf(described, first), Attributes = true }, invocation: null, now)
                : (current, null);
            if (!onlyMovedOn || decided.Step != found.Step || decided.IsFinished)
            {
                await KeepAsync(found, decided, action, batch, work, now, cancellationToken);
            }
        }
    }

    /// <summary>The description, with the checks and the ping the look's first read gave (when it read them).</summary>
    private static InstanceFacts WithHealthOf(InstanceFacts described, Observed first) =>
        first is { Health: true, Facts: { } seen } ? described with { Status = seen.Status, SsmPingStatus = seen.SsmPingStatus, PingDeferred = seen.PingDeferred, PingOnlineOnly = seen.PingOnlineOnly } : described;

    /// <summary>
    /// Makes the look's calls and saves their results; answers the saved records whose accepted
    /// call changes a stopped instance at once (<see cref="ChangesAtOnce"/>).
    /// </summary>
    private async Task<List<RemediationRecord>> ExecuteAndSaveAsync(List<PendingAction> work, BatchView batch, CancellationToken cancellationToken)
    {
        var changed = new List<RemediationRecord>();
        // A send an earlier look may have made keeps its intent until its command is found or its id saved.
        var mayHaveSent = work.Where(w => w.MaySentBefore).Select(w => w.Record.RemediationId).ToHashSet(StringComparer.Ordinal);
        foreach (var result in await _executor.ExecuteAsync(work, cancellationToken))
        {
            var after = ApplyResult(result, mayHaveSent.Contains(result.Record.RemediationId), _time.GetUtcNow());
            if (await TrySaveAsync(after, result.Record.Version, cancellationToken) is { } saved)
            {
                batch.Put(saved);
                if (result is { Error: null, Deferred: null } && ChangesAtOnce(result.Action))
                {
                    changed.Add(saved);
                }
            }
        }
        return changed;
    }

    /// <summary>Rounds of <see cref="SettleAsync"/> in one look: a type swap changes the type, then enaSupport, then starts.</summary>
    private const int SettleRounds = 3;

    private static readonly IReadOnlySet<string> NoHealth = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The records whose attribute change was just accepted, looked at again in the same look: an
    /// attribute of a stopped instance shows at once, so the step sees it, moves on and makes the
    /// next call now instead of a look later (a type swap makes three such calls in a row). One
    /// DescribeInstances for them all. A record that does not show its change yet is left as the
    /// call left it, looked at when it planned to be (never a second call for the same change here);
    /// a read that fails leaves them all so.
    /// </summary>
    private async Task<List<RemediationRecord>> SettleAsync(List<RemediationRecord> changed, BatchView batch, CancellationToken cancellationToken)
    {
        var work = new List<PendingAction>();
        var unobserved = new Observed(null, Health: false, Attributes: false);
        await DecideDescribedAsync(changed.Select(r => (r, r, unobserved)).ToList(), onlyMovedOn: true, batch, work, _time.GetUtcNow(), cancellationToken);
        return await ExecuteAndSaveAsync(work, batch, cancellationToken);
    }

    /// <summary>An attribute change of a stopped instance (enaSupport, the instance type, the root's DeleteOnTermination): EC2 shows it at once.</summary>
    private static bool ChangesAtOnce(EngineAction action) =>
        action is SetEnaSupportAction or PlanOwnedAction { AwsAction: "ec2:ModifyInstanceAttribute" };
}
