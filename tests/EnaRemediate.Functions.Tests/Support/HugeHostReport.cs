using System.Text.Json;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Functions.Tests.Support;

/// <summary>A host report far longer than the 24,000 characters GetCommandInvocation returns: an at-risk host with hundreds of old kernels.</summary>
public static class HugeHostReport
{
    /// <summary>The pending kernel without ena is the last of 301 kernels, far past SSM's cut.</summary>
    public static string Json()
    {
        var old = Enumerable.Range(1, 300).Select(i => new KernelEntry
        {
            Kernel = $"5.10.0-{i}-amd64",
            Running = false,
            Headers = true,
            EnaModule = new EnaModuleInfo($"/lib/modules/5.10.0-{i}-amd64/updates/ena.ko", "2.8.0g", false),
            Initramfs = new InitramfsInfo($"/boot/initrd.img-5.10.0-{i}-amd64", true),
        });
        var report = new HostReport
        {
            Distro = new DistroInfo("debian", "12", "Debian GNU/Linux 12 (bookworm)"),
            RunningKernel = "6.1.0-56-amd64",
            DefaultBootKernel = "6.1.0-57-amd64",
            KernelCommandLine = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64 root=UUID=1b2c ro net.ifnames=0",
            NetIfnames = "0",
            PersistentNetRules = false,
            Kernels =
            [
                .. old,
                new KernelEntry { Kernel = "6.1.0-56-amd64", Running = true, Headers = true, EnaModule = new EnaModuleInfo("/lib/modules/6.1.0-56-amd64/updates/ena.ko", "2.8.0g", false) },
                new KernelEntry { Kernel = "6.1.0-57-amd64", Running = false, Headers = true, EnaModule = null },
            ],
            Dkms = [],
            Interfaces = [new InterfaceEntry("eth0", "ena", "2.8.0g", "0000:00:05.0", "up")],
        };
        var json = JsonSerializer.Serialize(report, HostReportJson.Options);
        if (json.Length <= 60_000)
        {
            throw new InvalidOperationException($"the report is only {json.Length} characters");
        }
        return json + "\n";
    }
}
