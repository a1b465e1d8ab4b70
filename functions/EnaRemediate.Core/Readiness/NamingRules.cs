using System.Text.RegularExpressions;
using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Readiness;

/// <summary>
/// Names that a driver or type change can break (advice, never the verdict): interface names
/// against net.ifnames and udev's persistent rules, and block device names on the kernel command
/// line against the type's devices (Nitro EBS volumes are /dev/nvme*, Xen ones /dev/xvd*).
/// fstab's device names are judged by <see cref="FstabRules"/>.
/// </summary>
internal static partial class NamingRules
{
    public static void Judge(InventoryInstance instance, HostReport report, List<ReadinessFinding> findings)
    {
        var names = (report.Interfaces ?? []).Select(i => i?.Name).OfType<string>().ToList();
        if (report.PersistentNetRules == true)
        {
            findings.Add(new(ReadinessCodes.InterfaceNaming, Severity.Warning, ReadinessImpact.Advice, null,
                "/etc/udev/rules.d/70-persistent-net.rules exists: it pins interface names to MAC addresses and driver, so after a driver change the interface can come up as eth1 with no configuration",
                "remove /etc/udev/rules.d/70-persistent-net.rules (AWS's ENA guide)"));
        }
        var commandLineKnown = report.NetIfnames is not null || report.KernelCommandLine is not null;
        if (commandLineKnown && report.NetIfnames == "0" && names.FirstOrDefault(n => !ClassicName().IsMatch(n)) is { } predictable)
        {
            findings.Add(new(ReadinessCodes.InterfaceNaming, Severity.Warning, ReadinessImpact.Advice, null,
                $"net.ifnames=0 but interface {predictable} does not have a classic ethN name: something else renames it, and the network configuration may be written for another name than the next boot gives",
                "make the network configuration match by MAC or driver, or drop the rule that renames the interface"));
        }
        else if (commandLineKnown && report.NetIfnames != "0")
        {
            findings.Add(new(ReadinessCodes.InterfaceNaming, Severity.Info, ReadinessImpact.Advice, null,
                $"net.ifnames is {report.NetIfnames ?? "not set"}: interface names depend on the device's bus position, which differs between Xen and Nitro",
                "add net.ifnames=0 to the kernel command line (AWS's advice)"));
        }

        if (RootDevice().Match(report.KernelCommandLine ?? "") is { Success: true } root)
        {
            var device = root.Groups["dev"].Value;
            var nitro = instance.TypeEnaSupport == "required";
            if (nitro && !device.StartsWith("nvme", StringComparison.Ordinal) || !nitro && instance.TypeEnaSupport is not null && device.StartsWith("nvme", StringComparison.Ordinal))
            {
                findings.Add(new(ReadinessCodes.BlockDeviceNaming, Severity.Warning, ReadinessImpact.Advice, null,
                    $"the kernel command line names root=/dev/{device}, but on {instance.InstanceType ?? "this type"} EBS volumes are {(nitro ? "/dev/nvme*n*" : "/dev/xvd*")}: it boots only through udev aliases, and a type change breaks it",
                    "name the root (and the fstab entries) by UUID= or LABEL="));
            }
        }
        FstabRules.Judge(instance, report, findings);
    }

    [GeneratedRegex(@"^eth\d+$")]
    private static partial Regex ClassicName();

    [GeneratedRegex(@"(^|\s)root=/dev/(?<dev>[a-z]+\d*[a-z]*\d*(p\d+)?)(\s|$)")]
    private static partial Regex RootDevice();
}
