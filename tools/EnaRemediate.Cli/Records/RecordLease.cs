using System.Diagnostics;
using System.Globalization;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Cli.Records;

/// <summary>
/// Which CLI process drives an unfinished record. The store's lock says "one remediation per
/// instance"; the lease says "one driver per remediation": a second `remediate` started while
/// another process drives the record leaves it alone instead of taking it over. The lease is kept
/// in the record's memo (so it works on every store, through the same versioned saves), renewed
/// after every Advance, and given up by an interrupted run. A holder on this machine holds while its
/// process runs (so a crashed run's record is resumed at once); one on another machine until its
/// lease expires (so a crashed machine's record is resumed after the lease).
/// A record nobody leased (created by the deployed workflow) counts as driven while it was
/// active within <see cref="Grace"/>.
/// </summary>
internal sealed class RecordLease(IRemediationStore store, TimeProvider time)
{
    public const string OwnerKey = "lease.owner";
    public const string UntilKey = "lease.until";
    /// <summary>The owner of a record whose holder gave it up.</summary>
    private const string Released = "released";
    /// <summary>How long past its next look a record stays held: longer than any one Advance takes.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    /// <summary>This process: machine, process id and start time (a reused pid is not the same holder).</summary>
    public static string Me { get; } = Describe(Environment.MachineName, Environment.ProcessId, StartTicks(Process.GetCurrentProcess()));

    /// <summary>Who else drives the record now, as a person reads it; null when nobody else does.</summary>
    public static string? OtherHolder(RemediationRecord record, DateTimeOffset now)
    {
        if (record.IsFinished)
        {
            return null;
        }
        if (record.Memo.TryGetValue(OwnerKey, out var owner))
        {
            if (owner == Me || owner == Released)
            {
                return null;
            }
            // On this machine the holder's process itself is the truth (alive: it renews or releases;
            // gone: nobody will); a holder elsewhere is trusted until its lease expires.
            var held = OnThisMachine(owner) is { } alive ? alive : Until(record) >= now;
            return held ? $"enaremediate process {Readable(owner)} (lease until {Until(record):u})" : null;
        }
        var lastActive = record.NextLookAt is { } next && next > record.UpdatedAt ? next : record.UpdatedAt;
        return lastActive + Grace > now ? $"another run (active at {lastActive:u})" : null;
    }

    /// <summary>
    /// Takes or renews the lease for as long as the next look needs. A record another live holder
    /// drives is not taken (no record comes back, and who holds it does) unless <paramref name="ours"/>
    /// (this process created it a moment ago).
    /// </summary>
    public async Task<(RemediationRecord? Record, string? Holder)> TryTakeAsync(string remediationId, TimeSpan hold, bool ours, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await store.GetAsync(remediationId, cancellationToken) is not { IsFinished: false } record)
            {
                return (null, null);
            }
            var now = time.GetUtcNow();
            if (!ours && OtherHolder(record, now) is { } holder)
            {
                return (null, holder);
            }
            var leased = record with { Memo = record.Memo.SetItem(OwnerKey, Me).SetItem(UntilKey, (now + hold).ToString("O", CultureInfo.InvariantCulture)) };
            try
            {
                return (await store.SaveAsync(leased, record.Version, cancellationToken), null);
            }
            catch (StoreConflictException)
            {
                // Saved meanwhile (an abort, or a rival taking it): look again.
            }
        }
    }

    /// <summary>Gives the record up at once (an interrupted run): marked released, so the next run resumes it without waiting.</summary>
    public async Task ReleaseAsync(string remediationId, CancellationToken cancellationToken)
    {
        while (await store.GetAsync(remediationId, cancellationToken) is { IsFinished: false } record && record.Memo.GetValueOrDefault(OwnerKey) == Me)
        {
            try
            {
                await store.SaveAsync(record with { Memo = record.Memo.SetItem(OwnerKey, Released).SetItem(UntilKey, time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)) }, record.Version, cancellationToken);
                return;
            }
            catch (StoreConflictException)
            {
                // Changed meanwhile: read it again.
            }
        }
    }

    private static DateTimeOffset Until(RemediationRecord record) =>
        DateTimeOffset.TryParse(record.Memo.GetValueOrDefault(UntilKey), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var until) ? until : DateTimeOffset.MinValue;

    private static string Describe(string machine, int pid, long startTicks) => $"{machine}|{pid}|{startTicks}";

    private static string Readable(string owner) => owner.Split('|') is [var machine, var pid, _] ? $"{pid} on {machine}" : owner;

    /// <summary>Whether a holder on this machine still runs (same pid and start time); null for a holder elsewhere.</summary>
    private static bool? OnThisMachine(string owner)
    {
        if (owner.Split('|') is not [var machine, var pidText, var ticksText] || machine != Environment.MachineName
            || !int.TryParse(pidText, CultureInfo.InvariantCulture, out var pid) || !long.TryParse(ticksText, CultureInfo.InvariantCulture, out var ticks))
        {
            return null;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            // Start times are derived from clock ticks; a second's tolerance keeps a live holder live.
            return Math.Abs(StartTicks(process) - ticks) <= TimeSpan.TicksPerSecond;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static long StartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks;
}
