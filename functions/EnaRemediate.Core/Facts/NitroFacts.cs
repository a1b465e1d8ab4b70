using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Facts;

/// <summary>
/// The facts that choose between type-swap and offline-repair for an instance whose type requires
/// ENA: its shape (architecture, boot mode of the instance and of its AMI, network interfaces,
/// tenancy, Marketplace codes, root volume), its type's details, and the Xen types offered in its
/// Availability Zone.
/// </summary>
public sealed record NitroFacts(
    NitroInstance Instance,
    string? ImageBootMode,
    InstanceTypeDetails? CurrentType,
    IReadOnlyList<InstanceTypeDetails> XenTypesOffered)
{
    public bool OnDedicatedHost => Instance.Tenancy == "host" || Instance.HostId is not null;
}
