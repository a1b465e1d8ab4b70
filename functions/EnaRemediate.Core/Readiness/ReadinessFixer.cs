using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Readiness;

/// <summary>What --fix would do: the instances it installs the driver on, and every at-risk one it leaves alone and why.</summary>
public sealed record FixPlan(IReadOnlyList<string> Targets, IReadOnlyList<FixSkip> Skipped, string? Problem)
{
    public bool CanRun => Problem is null && Targets.Count > 0;
}

public sealed record FixSkip(string InstanceId, string Reason);

/// <summary>
/// `inventory --fix`: the driver install (EnaRemediate-InstallDriver, DKMS for every installed
/// kernel) on the at-risk instances while they are still reachable. No stop, no reboot. Only
/// opted-in instances, never one a remediation holds (the store's lock), and the same install
/// parameters and configuration check as the remediation's install step; the plan is made and
/// shown before anything is sent.
/// </summary>
public sealed class ReadinessFixer(ISsmPort ssm, TimeProvider time, EngineOptions options)
{
    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>Where the install writes its full output (its result is the last line, past the cut of a long build log).</summary>
    public CommandOutputReader? Output { get; init; }

    public async Task<FixPlan> PlanAsync(InventoryReport inventory, IRemediationStore? store, CancellationToken cancellationToken)
    {
        var targets = new List<string>();
        var skipped = new List<FixSkip>();
        foreach (var row in inventory.With(ReadinessVerdict.AtRiskNextReboot))
        {
            if (!row.OptedIn && !options.OptInAll)
            {
                skipped.Add(new(row.InstanceId, $"not opted in (tag {options.OptInTagKey}=true)"));
            }
            else if (store is not null && await store.GetLatestAsync(row.InstanceId, cancellationToken) is { IsFinished: false } record)
            {
                skipped.Add(new(row.InstanceId, $"remediation {record.RemediationId} holds it"));
            }
            else
            {
                targets.Add(row.InstanceId);
            }
        }
        return new FixPlan(targets, skipped, options.DriverConfigurationProblem);
    }

    public Task<IReadOnlyDictionary<string, CommandOutcome>> ApplyAsync(FixPlan plan, IProgress<CommandProgress>? progress, CancellationToken cancellationToken) =>
        Batch(plan).RunAsync(options.InstallDocument, DocumentSteps.InstallDriver, plan.Targets, options.InstallParameters, "EnaRemediate inventory --fix", progress, cancellationToken);

    /// <summary>Sends the install to the plan's targets without waiting for it (the scheduled auto-fix: the next inventory sees the result).</summary>
    public Task<SentCommands> SendAsync(FixPlan plan, string comment, CancellationToken cancellationToken) =>
        Batch(plan).SendAsync(options.InstallDocument, plan.Targets, options.InstallParameters, comment, cancellationToken);

    private CommandBatch Batch(FixPlan plan) => plan.CanRun
        ? new CommandBatch(ssm, time) { PollEvery = PollEvery, Timeout = Timeout, Output = Output }
        : throw new InvalidOperationException(plan.Problem ?? "there is nothing to fix");
}
