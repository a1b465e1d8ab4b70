using EnaRemediate.Cli.Records;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Cli.Engine;

/// <summary>
/// Drives the records this process may drive to the end: the ones it just created, and the
/// unfinished record of an instance that no other live process drives (an interrupted or crashed
/// run). Each is held by a <see cref="RecordLease"/>, renewed after every Advance; a record whose
/// lease this process loses is left to its new holder. On SIGINT/SIGTERM the leases are given up
/// and every record's standing is printed with the commands that resume or roll it back.
/// </summary>
internal sealed class DrivenRun(RemediationService service, IRemediationStore store, StoreLocation location, TimeProvider clock, TextWriter log)
{
    // Leases run on real time whatever the engine's clock: every process on the store must agree on it.
    private readonly RecordLease _lease = new(store, TimeProvider.System);
    private readonly List<string> _ids = [];

    /// <summary>Instances another live process drives, and by whom.</summary>
    public Dictionary<string, string> HeldElsewhere { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Ids => _ids;

    public async Task ClaimAsync(StartResult started, CancellationToken ct)
    {
        foreach (var id in started.RemediationIds)
        {
            if ((await _lease.TryTakeAsync(id, RecordLease.Grace, ours: true, ct)).Record is not null)
            {
                _ids.Add(id);
            }
        }
        foreach (var instance in started.Instances.Where(i => i.RefusalCode == RefusalCodes.AlreadyRemediating))
        {
            if (await service.LatestUnfinishedAsync(instance.InstanceId, ct) is { } record)
            {
                await TakeOverAsync(record, ct);
            }
        }
    }

    /// <summary>Drives a record another run left (or that `abort` marked), unless another live process drives it.</summary>
    public async Task<bool> TakeOverAsync(RemediationRecord record, CancellationToken ct)
    {
        var (taken, holder) = await _lease.TryTakeAsync(record.RemediationId, RecordLease.Grace, ours: false, ct);
        if (taken is not null)
        {
            log.WriteLine($"{record.InstanceId}: resuming {record.RemediationId} at step {taken.Step}");
            _ids.Add(record.RemediationId);
            return true;
        }
        if (holder is not null)
        {
            HeldElsewhere[record.InstanceId] = holder;
            log.WriteLine($"{record.InstanceId}: not resuming {record.RemediationId} (step {record.Step}): {holder} drives it. Watch it with `enaremediate status --instance-id {record.InstanceId}{StoreArgument}`.");
        }
        return false;
    }

    public async Task<RemediationLoop.End> DriveAsync(Action<AdvanceResult> onProgress, CancellationToken stop, CancellationToken abandon)
    {
        if (_ids.Count == 0)
        {
            return new RemediationLoop.End(new AdvanceResult(true, 0, []), Interrupted: false);
        }
        var end = await RemediationLoop.RunAsync(service, _ids, clock, onProgress, stop, abandon, RenewAsync);
        if (end.Interrupted)
        {
            foreach (var id in _ids)
            {
                await _lease.ReleaseAsync(id, CancellationToken.None);
            }
            await WriteStandingAsync();
        }
        return end;
    }

    /// <summary>Holds each unfinished record until its next look plus the grace; a lease lost to another holder ends this process's part.</summary>
    private async Task RenewAsync(AdvanceResult result)
    {
        var hold = TimeSpan.FromSeconds(result.WaitSeconds) + RecordLease.Grace;
        foreach (var record in result.Records.Where(r => r.Outcome is null))
        {
            var (_, holder) = await _lease.TryTakeAsync(record.RemediationId, hold, ours: false, CancellationToken.None);
            if (holder is not null)
            {
                log.WriteLine($"{record.InstanceId}: {holder} took over {record.RemediationId}; leaving it to it.");
                _ids.Remove(record.RemediationId);
            }
        }
    }

    private async Task WriteStandingAsync()
    {
        log.WriteLine($"enaremediate: interrupted by {CliApp.Signals.Received ?? "a stop request"}; every record is saved in {location}.");
        var unfinished = new List<RemediationRecord>();
        foreach (var id in _ids)
        {
            if (await store.GetAsync(id, CancellationToken.None) is not { } record)
            {
                continue;
            }
            var changed = record.UndoLog.Where(u => !u.Done).Select(u => u.Description).ToList();
            log.WriteLine($"  {record.InstanceId}: {record.Outcome ?? "step " + record.Step} ({record.Plan}, {record.RemediationId})" +
                (record.IsFinished ? "" : changed.Count == 0 ? "; nothing changed yet" : $"; to undo if abandoned: {string.Join("; ", changed)}"));
            if (!record.IsFinished)
            {
                unfinished.Add(record);
            }
        }
        if (unfinished.Count > 0)
        {
            log.WriteLine($"  resume:    enaremediate remediate --yes{StoreArgument} --instance-id {string.Join(" ", unfinished.Select(r => r.InstanceId))} (and the same other options)");
            log.WriteLine($"  roll back: {string.Join(" ; ", unfinished.Select(r => $"enaremediate abort {r.RemediationId}{StoreArgument}"))}");
        }
    }

    private string StoreArgument => location.SqlitePath == StoreLocation.DefaultPath ? "" : $" --store '{location}'";
}
