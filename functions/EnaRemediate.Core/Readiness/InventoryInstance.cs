namespace EnaRemediate.Core.Readiness;

/// <summary>
/// What EC2 and SSM say about one instance before its host report is read: the facts a verdict
/// needs when there is no report (not managed, unreachable) and the ENA settings the rules weigh.
/// </summary>
public sealed record InventoryInstance
{
    public required string InstanceId { get; init; }
    public string? InstanceType { get; init; }
    /// <summary>pending, running, stopping, stopped, …</summary>
    public required string State { get; init; }
    /// <summary>The instance's enaSupport attribute.</summary>
    public bool EnaSupport { get; init; }
    /// <summary>The type's NetworkInfo.EnaSupport: required, supported, unsupported; null when unknown.</summary>
    public string? TypeEnaSupport { get; init; }
    /// <summary>The instance status check (ok, impaired, initializing, …); null when unknown.</summary>
    public string? InstanceStatus { get; init; }
    /// <summary>SSM's PingStatus (Online, ConnectionLost, Inactive); null when SSM does not manage it.</summary>
    public string? PingStatus { get; init; }
    public bool OptedIn { get; init; }
}
