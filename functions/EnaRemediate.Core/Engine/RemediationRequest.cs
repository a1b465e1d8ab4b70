namespace EnaRemediate.Core.Engine;

/// <summary>Diagnose: read-only report. Remediate: run the chosen plan.</summary>
public enum RemediationMode
{
    Diagnose,
    Remediate,
}

/// <summary>
/// What every trigger (alarm, sweep, console, runbook, CLI) is normalised to.
/// <paramref name="Trigger"/> names the source; <paramref name="TriggerDetail"/> is its reference (alarm ARN, runbook execution).
/// </summary>
public sealed record RemediationRequest(
    IReadOnlyList<string> InstanceIds,
    RemediationMode Mode,
    bool DryRun,
    string Trigger,
    string? TriggerDetail)
{
    /// <summary>Plan options kept on the record as memo "option.&lt;key&gt;" (reregister-ami: launchReplacement=true).</summary>
    public IReadOnlyDictionary<string, string> PlanOptions { get; init; } = new Dictionary<string, string>();

    /// <summary>Remediate even an instance not observed broken, or within the cool-down; recorded on the record as forced.</summary>
    public bool Force { get; init; }
}
