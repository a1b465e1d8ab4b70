using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Facts;

namespace EnaRemediate.Core.Triage;

/// <summary>
/// Picks the Xen type an ENA-required instance can run on for a while with ENA off: offered in its
/// Availability Zone, the same architecture, HVM and EBS, booting legacy BIOS, with room for its
/// network interfaces, and of all those the nearest in memory and vCPUs (ratios on a log scale, so
/// half and double are equally far; a tie goes to the smaller type), the last Xen generation
/// (t2, m4, c4, r4, ...) before the PV-era one.
/// </summary>
public static class StandInChooser
{
    public sealed record Choice(InstanceTypeDetails? Type, string Why);

    public static Choice Choose(NitroFacts facts)
    {
        var instance = facts.Instance;
        var architecture = instance.Architecture ?? "x86_64";
        if (architecture != "x86_64")
        {
            return new(null, $"its architecture is {architecture} and there is no {architecture} Xen type");
        }
        if (instance.BootMode == "uefi" || facts.ImageBootMode == "uefi")
        {
            return new(null, $"it boots UEFI ({(facts.ImageBootMode == "uefi" ? "a UEFI-only AMI" : "the instance's boot mode")}) and Xen types boot legacy BIOS only");
        }
        if (facts.OnDedicatedHost)
        {
            return new(null, "it runs on a Dedicated Host, which runs one instance family only: a Xen stand-in cannot run there");
        }
        if (facts.XenTypesOffered.Count == 0)
        {
            return new(null, $"no Xen type is offered in {instance.AvailabilityZone}");
        }
        var fits = facts.XenTypesOffered.Where(t =>
            t.Architectures.Contains(architecture) && t.VirtualizationTypes.Contains("hvm") && t.RootDeviceTypes.Contains("ebs")
            && (t.BootModes.Count == 0 || t.BootModes.Contains("legacy-bios")) && t.EnaSupport != "required").ToList();
        var roomy = fits.Where(t => t.MaxNetworkInterfaces >= instance.NetworkInterfaces).ToList();
        if (roomy.Count == 0)
        {
            return new(null, $"it has {instance.NetworkInterfaces} network interfaces and no Xen type offered in {instance.AvailabilityZone} allows more than {(fits.Count == 0 ? 0 : fits.Max(t => t.MaxNetworkInterfaces))}");
        }
        var memory = Math.Max(facts.CurrentType?.MemoryMiB ?? 4096, 1);
        var vcpus = Math.Max(facts.CurrentType?.VCpus ?? 2, 1);
        // The oldest Xen generation (m1, m3, c1, c3, t1: the types that still boot PV) comes last: scarce, slow, and retired first.
        var best = roomy
            .OrderBy(t => t.VirtualizationTypes.Contains("paravirtual"))
            .ThenBy(t => Math.Abs(Math.Log(Math.Max(t.MemoryMiB, 1) / (double)memory)) + Math.Abs(Math.Log(Math.Max(t.VCpus, 1) / (double)vcpus)))
            .ThenBy(t => t.MemoryMiB)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .First();
        return new(best, $"{best.Name} ({best.VCpus} vCPU, {best.MemoryMiB / 1024.0:0.#} GiB) is the nearest Xen type offered in {instance.AvailabilityZone}");
    }
}
