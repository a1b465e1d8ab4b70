using EnaRemediate.Aws.Sweep;
using EnaRemediate.Core.Engine;
using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Intake;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// sweep (scheduled): starts records for impaired opted-in instances, and hands back unfinished
/// records nobody has looked at for a while (a crashed workflow, a console-started intake) so the
/// workflow resumes them. An instance whose last remediation ended recently is left alone, so a
/// fix that did not help is not retried every schedule tick. Everything it finds goes to one
/// workflow, whose fan-out advances it in batches at once (up to <see cref="MaxPerWorkflow"/>).
/// </summary>
public sealed class SweepHandler(ImpairedInstanceFinder finder, RemediationService engine, IRemediationStore store, RemediationMode mode, TimeProvider time) : IFunctionHandler
{
    /// <summary>The engine refuses a remediation within its cool-down anyway; checking first keeps the sweep from writing a refusal record every tick.</summary>
    public static readonly TimeSpan Cooldown = new EngineOptions().Cooldown;
    public static readonly TimeSpan Orphaned = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Records one workflow takes on, whatever started it (a named request has the same ceiling,
    /// <see cref="InstanceIds.MaxPerRequest"/>): its input holds every id (47 bytes each) and must
    /// stay under Step Functions' 256 KB (<see cref="IntakeAnswer.MaxBytes"/> says what else fits
    /// beside them); the rest of a sweep waits for the next one, and the reason says so.
    /// </summary>
    public const int MaxPerWorkflow = 4000;

    public async Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var skipped = new List<object>();
        var fresh = new List<string>();
        foreach (var id in await finder.FindAsync(cancellationToken))
        {
            var latest = await store.GetLatestAsync(id, cancellationToken);
            if (latest is { IsFinished: true } && now - latest.UpdatedAt < Cooldown)
                skipped.Add(new { instanceId = id, reason = $"last remediation {latest.RemediationId} ended {latest.Outcome} at {latest.UpdatedAt:u}; waiting {Cooldown.TotalHours} h before another" });
            else if (latest is { IsFinished: false })
                continue; // already running; the orphan check below resumes it if nobody drives it
            else
                fresh.Add(id);
        }

        var started = new List<string>();
        foreach (var batch in fresh.Chunk(InstanceIds.MaxPerRequest))
        {
            var result = await engine.StartAsync(new RemediationRequest(batch, mode, DryRun: false, Trigger: "sweep", TriggerDetail: invocation.RequestId), cancellationToken);
            started.AddRange(result.RemediationIds);
        }

        var resumed = (await store.ListUnfinishedAsync(cancellationToken))
            .Where(r => now - (r.NextLookAt ?? r.UpdatedAt) > Orphaned)
            .Select(r => r.RemediationId)
            .ToList();

        var all = started.Concat(resumed).Distinct().ToList();
        var ids = all.Take(MaxPerWorkflow).ToList();
        var reason = $"{fresh.Count} impaired opted-in instance(s) to start, {started.Count} started, {resumed.Count} unattended record(s) resumed, {skipped.Count} in cool-down."
            + (all.Count > ids.Count ? $" {all.Count - ids.Count} record(s) beyond this workflow's {MaxPerWorkflow} wait for the next sweep." : "");
        invocation.Log.Info("sweep", new { reason, started, resumed, skipped });
        return JsonOutput.Write(new { outcome = ids.Count > 0 ? IntakeHandler.Started : IntakeHandler.NothingToRun, reason, remediationIds = ids, skipped });
    }
}
