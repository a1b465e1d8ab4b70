using System.Text.RegularExpressions;
using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Readiness;

/// <summary>
/// fstab entries that name an EBS device by a storage driver's name the instance type does not
/// give (FACTS.md §1): NVMe names on a Xen type, xvd/sd/hd names on a Nitro type (where they exist
/// only as udev aliases, e.g. Amazon Linux's; a Xen type's NVMe devices that exist are its instance
/// store). One that does not exist now and is not nofail stops
/// the next boot in emergency mode; the others break at a type change or when the aliases go.
/// </summary>
internal static partial class FstabRules
{
    private const string Fix = "name the device by UUID= or LABEL= in /etc/fstab (blkid shows both), or add nofail if the mount is optional";

    public static void Judge(InventoryInstance instance, HostReport report, List<ReadinessFinding> findings)
    {
        if (instance.TypeEnaSupport is null)
        {
            return; // the type's kind (Nitro or Xen) is unknown: nothing to compare with
        }
        var nitro = instance.TypeEnaSupport == "required";
        var type = instance.InstanceType ?? "this type";
        foreach (var entry in report.Fstab ?? [])
        {
            if (entry?.Spec is not { } spec || DriverName().Match(spec) is not { Success: true } name)
            {
                continue;
            }
            var isNvme = name.Groups["nvme"].Success;
            // On a Xen type an NVMe device that exists is instance store (i3, x1e …), named as it should be.
            if (isNvme == nitro || isNvme && entry.Exists == true)
            {
                continue;
            }
            var where = $"fstab mounts {spec} on {entry.MountPoint ?? "(no mount point)"}, but on {type} EBS volumes are {(nitro ? "/dev/nvme*n*" : "/dev/xvd*")}";
            if (entry.Exists == false && entry.Nofail != true && entry.MountPoint != "/")
            {
                findings.Add(new(ReadinessCodes.FstabDeviceNaming, Severity.Error, ReadinessImpact.NextReboot, null,
                    $"{where}, and {spec} does not exist now: without nofail the next boot waits for it and stops in emergency mode (no network)", Fix));
            }
            else
            {
                var why = entry.MountPoint == "/"
                    ? "the root is mounted from the kernel command line's root=, but this entry's checks and remounts fail"
                    : entry.Exists == true
                        ? "it exists only through udev aliases (Amazon Linux's ec2-utils and the like), and a type change or losing the aliases breaks the mount"
                        : "it is nofail, so the boot goes on without it, and the data is not mounted";
                findings.Add(new(ReadinessCodes.FstabDeviceNaming, Severity.Warning, ReadinessImpact.Advice, null, $"{where}: {why}", Fix));
            }
        }
    }

    [GeneratedRegex(@"^/dev/(?:(?<nvme>nvme\d+n\d+(?:p\d+)?)|(?:xvd|sd|hd)[a-z]{1,2}\d*)$")]
    private static partial Regex DriverName();
}
