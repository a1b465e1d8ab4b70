using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Readiness;

/// <summary>
/// The per-kernel readiness rules: an ena module for the running and the next kernel, in the
/// initramfs where the distribution loads it from there, built by DKMS, with headers so that
/// DKMS's AUTOINSTALL can rebuild it when the next kernel arrives (FACTS.md §2).
/// </summary>
internal static class KernelRules
{
    /// <summary>dracut-based distributions: their host-only initramfs carries the network driver and loads it before the root filesystem.</summary>
    private static readonly HashSet<string> DracutDistros = new(StringComparer.OrdinalIgnoreCase)
    {
        "amzn", "rhel", "centos", "rocky", "almalinux", "ol", "fedora", "sles", "sled", "opensuse-leap",
    };

    private const string FixInstall = "enaremediate inventory --fix (installs the managed ENA driver through DKMS for every installed kernel; no stop, no reboot)";

    public static void Judge(InventoryInstance instance, HostReport report, KernelEntry? running, KernelEntry? next, List<ReadinessFinding> findings)
    {
        // ENA matters unless the type cannot use it at all.
        var enaMatters = instance.TypeEnaSupport is not "unsupported";
        if (!enaMatters)
        {
            return;
        }
        if (running is { EnaModule: null })
        {
            findings.Add(instance.EnaSupport
                ? new(ReadinessCodes.ModuleMissing, Severity.Critical, ReadinessImpact.Now, running.Kernel,
                    $"the running kernel {running.Kernel} has no ena module while enaSupport is on", FixInstall)
                : EnaOff(instance, running, "the running kernel"));
        }
        if (next is null || next == running && running.EnaModule is null)
        {
            return;
        }
        if (next.EnaModule is null)
        {
            findings.Add(instance.EnaSupport
                ? new(ReadinessCodes.ModuleMissing, Severity.Critical, ReadinessImpact.NextReboot, next.Kernel,
                    $"the next boot runs {next.Kernel}, which has no ena module: with enaSupport on the instance loses its network at the next reboot", FixInstall)
                : EnaOff(instance, next, "the next boot's kernel"));
        }
        else if (next.Initramfs is { ContainsEna: false } && report.Distro?.Id is { } distro && DracutDistros.Contains(distro))
        {
            findings.Add(new(ReadinessCodes.InitramfsMissingEna, Severity.Error, ReadinessImpact.NextReboot, next.Kernel,
                $"the initramfs of {next.Kernel} ({next.Initramfs.Path}) has no ena.ko; {distro} loads the network driver from its initramfs",
                $"dracut -f --kver {next.Kernel} (or {FixInstall})"));
        }

        // A kernel with its own in-tree driver needs neither DKMS nor headers.
        if (next.EnaModule is { InTree: true })
        {
            return;
        }
        if (next.EnaModule is not null && !IsInstalled(DkmsState(report, next.Kernel)))
        {
            findings.Add(new(ReadinessCodes.DkmsNotInstalled, Severity.Error, ReadinessImpact.NextUpdate, next.Kernel,
                $"ena {next.EnaModule.Version} on {next.Kernel} is not installed by DKMS (built by hand): the next kernel update will boot without it",
                FixInstall));
        }
        if (next.Headers == false && instance.EnaSupport)
        {
            findings.Add(new(ReadinessCodes.HeadersMissing, Severity.Error, ReadinessImpact.NextUpdate, next.Kernel,
                $"{next.Kernel} has no kernel headers: the headers do not follow kernel updates here, so DKMS's AUTOINSTALL cannot build ena for the next kernel",
                $"install the headers for {next.Kernel} and the distribution's headers metapackage (linux-headers-amd64, kernel-devel); --fix installs the headers of every installed kernel"));
        }
    }

    private static ReadinessFinding EnaOff(InventoryInstance instance, KernelEntry kernel, string role) =>
        new(ReadinessCodes.ModuleMissingEnaOff, Severity.Warning, ReadinessImpact.Advice, kernel.Kernel,
            $"{role} {kernel.Kernel} has no ena module; enaSupport is off, so the {instance.TypeEnaSupport ?? "type's"} stock driver carries the network, but ENA cannot be turned on",
            FixInstall);

    /// <summary>The dkms state of ena for one kernel, or null when DKMS has no entry for it.</summary>
    public static string? DkmsState(HostReport report, string kernel) =>
        (report.Dkms ?? []).Where(d => d is not null && string.Equals(d.Module, "ena", StringComparison.OrdinalIgnoreCase) && d.Kernel == kernel)
            .Select(d => d.State).FirstOrDefault(s => s is not null);

    private static bool IsInstalled(string? state) => state is not null && state.StartsWith("installed", StringComparison.OrdinalIgnoreCase);
}
