namespace EnaRemediate.Core.Readiness;

/// <summary>One row of the inventory: the instance, its two kernels that matter, the verdict and why.</summary>
public sealed record InstanceReadiness
{
    public required string InstanceId { get; init; }
    public string? InstanceType { get; init; }
    public bool EnaSupport { get; init; }
    public string? TypeEnaSupport { get; init; }
    public string? RunningKernel { get; init; }
    /// <summary>The kernel the next boot runs (the newest installed one; see docs/inventory.md).</summary>
    public string? NextKernel { get; init; }
    /// <summary>The ena module version (or "in-tree") of the running and the next kernel; null when it has none.</summary>
    public string? RunningEna { get; init; }
    public string? NextEna { get; init; }
    /// <summary>dkms state of ena for the next kernel (installed, built, …), "-" when it is not registered.</summary>
    public string? Dkms { get; init; }
    public required ReadinessVerdict Verdict { get; init; }
    public bool OptedIn { get; init; }
    public IReadOnlyList<ReadinessFinding> Findings { get; init; } = [];
}
