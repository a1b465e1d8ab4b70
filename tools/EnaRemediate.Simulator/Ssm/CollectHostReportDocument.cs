using System.Text.Json;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>
/// EnaRemediate-CollectHostReport against the guest model: stdout is the host report
/// (docs/host-report.md) built from the guest's true state and the driver the instance has bound.
/// With the "validation fails after ENA re-enabled" fault, the ENA device keeps resetting: the
/// report shows it and the document fails.
/// </summary>
internal sealed class CollectHostReportDocument : SimulatedDocument
{
    public const string DocumentName = "EnaRemediate-CollectHostReport";

    public override string Name => DocumentName;
    public override string PluginName => "collectHostReport";
    /// <summary>The real document takes none.</summary>
    public override IReadOnlyList<DocumentParameter> Parameters { get; } = [];
    public override TimeSpan Duration(Random random) => random.Draw(Latencies.ShortCommand);

    public override DocumentResult Run(DocumentRun run)
    {
        var deviceFails = run.Instance.EnaSupport && run.World.Faults.For(run.Instance.InstanceId).ValidationFailsAfterEnaEnabled;
        var report = Build(run.Instance, run.At, deviceFails);
        var json = JsonSerializer.Serialize(report, HostReportJson.Options);
        return deviceFails
            ? new DocumentResult(1, json + "\n", "ena 0000:00:05.0: Device reset failed\n")
            : new DocumentResult(0, json + "\n", "");
    }

    private static List<KernelEntry> Kernels(GuestOs guest, string? running) =>
        guest.Kernels.OrderBy(k => k.Version, KernelVersionComparer.Instance).Select(k => new KernelEntry
        {
            Kernel = k.Version,
            Running = k.Version == running,
            Headers = k.Headers,
            EnaModule = k.Ena is { } m ? new EnaModuleInfo(m.Path, m.Version.Length == 0 ? null : m.Version, m.InTree) : null,
            Initramfs = new InitramfsInfo($"/boot/initrd.img-{k.Version}", k.InitramfsContainsEna),
        }).ToList();

    private static List<DkmsEntry> Dkms(GuestOs guest) => guest.DkmsEnaVersion is { } v
        ? guest.Kernels.Where(k => k.Ena is { InTree: false }).Select(k => new DkmsEntry("ena", v, k.Version, "x86_64", "installed")).ToList()
        : [];

    private static Readiness ReadinessOf(List<KernelEntry> kernels)
    {
        var missing = kernels.Where(k => k.EnaModule is null).Select(k => $"kernel {k.Kernel} has no ena module").ToList();
        return new Readiness(missing.Count == 0, missing);
    }

    public static HostReport Build(SimulatedInstance instance, DateTimeOffset at, bool deviceFails)
    {
        var guest = instance.Guest!;
        var driver = instance.BoundNetworkDriver(at) ?? "ena";
        var running = instance.RunningKernel;
        var kernels = Kernels(guest, running);
        var runningModule = running is null ? null : guest.Find(running)?.Ena;
        var ena = driver == "ena";
        return new HostReport
        {
            GeneratedAt = at,
            Hostname = $"ip-{instance.PrivateIpAddress.Replace('.', '-')}",
            Distro = new DistroInfo(guest.DistroId, guest.DistroVersion, guest.PrettyName),
            RunningKernel = running,
            // The guest's boot loader boots the newest installed kernel (GuestOs.Newest), as GRUB's default does.
            DefaultBootKernel = guest.Newest?.Version,
            DefaultBootSource = guest.Newest is null ? null : "grub.cfg",
            KernelCommandLine = $"BOOT_IMAGE=/boot/vmlinuz-{running} root=/dev/xvda1 ro console=ttyS0" + (guest.NetIfnames is { } n ? $" net.ifnames={n}" : ""),
            NetIfnames = guest.NetIfnames,
            PersistentNetRules = guest.PersistentNetRules,
            Kernels = kernels,
            Dkms = Dkms(guest),
            Interfaces = [new InterfaceEntry("eth0", driver, ena ? runningModule?.Version : null, BusInfo(driver), deviceFails ? "down" : "up")],
            EthtoolStats = ena
                ? new Dictionary<string, IReadOnlyDictionary<string, long>> { ["eth0"] = Counters(deviceFails) }
                : new Dictionary<string, IReadOnlyDictionary<string, long>>(),
            KernelLog = ena ? KernelLog(deviceFails) : [],
            Readiness = ReadinessOf(kernels),
            Truncated = false,
        };
    }

    private static string BusInfo(string driver) => driver switch
    {
        "ena" => "0000:00:05.0",
        "ixgbevf" => "0000:00:03.0",
        _ => "vif-0",
    };

    private static Dictionary<string, long> Counters(bool deviceFails) => new()
    {
        ["total_resets"] = deviceFails ? 57 : 0,
        ["reset_fail"] = deviceFails ? 57 : 0,
        ["tx_timeout"] = 0,
        ["wd_expired"] = deviceFails ? 4210 : 0,
        ["queue_0_tx_cnt"] = deviceFails ? 12 : 4329,
        ["queue_0_rx_cnt"] = deviceFails ? 3 : 5120,
    };

    private static List<string> KernelLog(bool deviceFails) => deviceFails
        ?
        [
            "[    4.104871] ena 0000:00:05.0: Elastic Network Adapter (ENA) found at mem febf8000, mac addr 02:8a:3c:1e:13:b5",
            "[   12.381002] ena 0000:00:05.0 eth0: Keep alive watchdog timeout.",
            "[   12.381120] ena 0000:00:05.0 eth0: Trigger reset is on",
            "[   14.902311] ena 0000:00:05.0: Device reset failed",
        ]
        : ["[    4.104871] ena 0000:00:05.0: Elastic Network Adapter (ENA) found at mem febf8000, mac addr 02:8a:3c:1e:13:b5"];
}
