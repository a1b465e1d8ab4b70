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
    /// The records that moved on, in this look, from a step that read only the state to one that
    /// reads the description: described now (one DescribeInstances for them all) and decided again
    /// with the health the look's first read gave, so that a stop seen finished is followed by its
    /// attribute change in the same look. Health it did not read is read at the next look, as for
    /// any step that moves on to one that reads health; when the description fails they look again at once.
    /// </summary>
    private async Task DescribeMovedAsync(List<(RemediationRecord Found, RemediationRecord Moved, Observed First)> moved, BatchView batch, List<PendingAction> work, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (facts, _) = await TryGatherAsync(moved.Select(m => m.Moved).ToList(), NoHealth, describe: null, cancellationToken);
        foreach (var (found, movedOn, first) in moved)
        {
            var (decided, action) = facts?.GetValueOrDefault(movedOn.ActingOn) is { } described
                ? DecideIsolated(movedOn, first with { Facts = WithHealthOf(described, first), Attributes = true }, invocation: null, now)
                : (movedOn, null);
            await KeepAsync(found, decided, action, batch, work, now, cancellationToken);
        }
    }

    /// <summary>The description, with the checks and the ping the look's first read gave (when it read them).</summary>
    private static InstanceFacts WithHealthOf(InstanceFacts described, Observed first) =>
        first is { Health: true, Facts: { } seen } ? described with { Status = seen.Status, SsmPingStatus = seen.SsmPingStatus } : described;

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
        var now = _time.GetUtcNow();
        var (facts, _) = await TryGatherAsync(changed, NoHealth, describe: null, cancellationToken);
        if (facts is null)
        {
            return [];
        }
        var work = new List<PendingAction>();
        foreach (var record in changed)
        {
            var (decided, action) = DecideIsolated(record, new Observed(facts.GetValueOrDefault(record.ActingOn), Health: false, Attributes: true), invocation: null, now);
            if (decided.Step != record.Step || decided.IsFinished)
            {
                await KeepAsync(record, decided, action, batch, work, now, cancellationToken);
            }
        }
        return await ExecuteAndSaveAsync(work, batch, cancellationToken);
    }

    /// <summary>An attribute change of a stopped instance (enaSupport, the instance type, the root's DeleteOnTermination): EC2 shows it at once.</summary>
    private static bool ChangesAtOnce(EngineAction action) =>
        action is SetEnaSupportAction or PlanOwnedAction { AwsAction: "ec2:ModifyInstanceAttribute" };
}
