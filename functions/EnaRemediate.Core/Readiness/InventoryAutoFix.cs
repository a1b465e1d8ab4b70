using EnaRemediate.Core.Engine;

namespace EnaRemediate.Core.Readiness;

/// <summary>One instance the auto-fix sent the install to: the command it is in, or why SSM refused it.</summary>
public sealed record AutoFixSent(string InstanceId, string? CommandId, string? Problem);

/// <summary>What one scheduled run's auto-fix did (docs/inventory.md): planned, sent, left alone and why.</summary>
/// <param name="Targets">The at-risk opted-in instances the plan chose (the only ones sent to, unless a dry run).</param>
/// <param name="Problem">Why nothing could be sent at all (the driver configuration); null otherwise.</param>
public sealed record AutoFixRun(bool DryRun, IReadOnlyList<string> Targets, IReadOnlyList<AutoFixSent> Sent, IReadOnlyList<FixSkip> Skipped, string? Problem);

/// <summary>
/// The scheduled inventory's auto-fix: the driver install sent to exactly the opted-in instances
/// the run just judged at-risk-next-reboot and no remediation holds, with the remediation's
/// parameters and their check (<see cref="ReadinessFixer"/>), batched 50 per command. It does not
/// wait: the install takes minutes and takes its own host lock; the next run judges the result.
/// </summary>
public sealed class InventoryAutoFix(ReadinessFixer fixer, IRemediationStore store)
{
    public const string Comment = "EnaRemediate inventory auto-fix";

    public async Task<AutoFixRun> RunAsync(InventoryReport report, bool dryRun, CancellationToken cancellationToken)
    {
        var plan = await fixer.PlanAsync(report, store, cancellationToken);
        if (plan.Problem is not null || dryRun || plan.Targets.Count == 0)
        {
            return new AutoFixRun(dryRun, plan.Targets, [], plan.Skipped, plan.Problem);
        }
        var sent = await fixer.SendAsync(plan, Comment, cancellationToken);
        var rows = sent.ByCommand.SelectMany(c => c.Value.Select(id => new AutoFixSent(id, c.Key, null)))
            .Concat(sent.Refused.Select(r => new AutoFixSent(r.Key, null, r.Value)))
            .OrderBy(r => r.InstanceId, StringComparer.Ordinal).ToList();
        return new AutoFixRun(false, plan.Targets, rows, plan.Skipped, null);
    }
}
