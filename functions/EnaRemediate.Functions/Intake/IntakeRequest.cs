namespace EnaRemediate.Functions.Intake;

public enum RequestedMode { Diagnose, Remediate }

/// <summary>A trigger reduced to what the engine needs: which instances, how, and where it came from.</summary>
public sealed record IntakeRequest(IReadOnlyList<string> InstanceIds, RequestedMode Mode, bool DryRun, string Trigger, string? TriggerDetail);
