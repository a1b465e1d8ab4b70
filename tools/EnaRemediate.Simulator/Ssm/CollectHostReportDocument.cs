using System.Text.Json;
using System.Text.RegularExpressions;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>
/// EnaRemediate-CollectHostReport against the guest model: stdout is the host report
/// (docs/host-report.md) built from the guest's true state and the driver the instance has bound.
/// With the "validation fails after ENA re-enabled" fault, the ENA device keeps resetting: the
/// report shows it and the document fails. Counters=global leaves out the per-queue counters, as
/// collect-ena.sh --counters global does.
/// </summary>
internal sealed partial class CollectHostReportDocument : SimulatedDocument
{
    public const string DocumentName = "EnaRemediate-CollectHostReport";

    public override string Name => DocumentName;
    public override string PluginName => "collectHostReport";
    /// <summary>As in driver/documents/EnaRemediate-CollectHostReport.json.</summary>
    public override IReadOnlyList<DocumentParameter> Parameters { get; } = [new("Counters", "all", AllOrGlobal())];
    public override TimeSpan Duration(Random random) => random.Draw(Latencies.ShortCommand);

    public override DocumentResult Run(DocumentRun run)
    {
        var deviceFails = run.Instance.EnaSupport && run.World.Faults.For(run.Instance.InstanceId).ValidationFailsAfterEnaEnabled;
        var report = Build(run.Instance, run.At, deviceFails, perQueueCounters: run.Single("Counters") != "global");
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

    public static HostReport Build(SimulatedInstance instance, DateTimeOffset at, bool deviceFails, bool perQueueCounters)
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
                ? new Dictionary<string, IReadOnlyDictionary<string, long>> { ["eth0"] = Counters(deviceFails, perQueueCounters) }
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

    /// <summary>
    /// `ethtool -S eth0` of a two-queue ENA device (the fewest a real one has), named as the 6.1
    /// driver names them (ena_ethtool.c: the globals, the ENI allowances, queue_N_tx_* and
    /// queue_N_rx_* per queue, ena_admin_q_*), plus the reset counters of the out-of-tree driver.
    /// About 90 counters: like a real report, the whole report is longer than a command listing's
    /// 2,500 characters, so reading it costs a GetCommandInvocation here as it does in AWS; without
    /// the per-queue ones (Counters=global) it is about 20, and the report fits in the listing.
    /// </summary>
    private static Dictionary<string, long> Counters(bool deviceFails, bool perQueue)
    {
        var counters = new Dictionary<string, long>
        {
            ["tx_timeout"] = 0,
            ["suspend"] = 0,
            ["resume"] = 0,
            ["wd_expired"] = deviceFails ? 4210 : 0,
            ["interface_up"] = 1,
            ["interface_down"] = deviceFails ? 1 : 0,
            ["admin_q_pause"] = 0,
            ["bw_in_allowance_exceeded"] = 0,
            ["bw_out_allowance_exceeded"] = 0,
            ["pps_allowance_exceeded"] = 0,
            ["conntrack_allowance_exceeded"] = 0,
            ["linklocal_allowance_exceeded"] = 0,
            ["total_resets"] = deviceFails ? 57 : 0,
            ["reset_fail"] = deviceFails ? 57 : 0,
        };
        for (var queue = 0; perQueue && queue < 2; queue++)
        {
            foreach (var name in TxCounters)
            {
                counters[$"queue_{queue}_tx_{name}"] = name switch
                {
                    "cnt" => deviceFails ? 12 : 4329 - queue * 1000,
                    "bytes" => deviceFails ? 1_020 : 612_334 - queue * 100_000,
                    _ => 0,
                };
            }
            foreach (var name in RxCounters)
            {
                counters[$"queue_{queue}_rx_{name}"] = name switch
                {
                    "cnt" => deviceFails ? 3 : 5120 - queue * 1000,
                    "bytes" => deviceFails ? 180 : 7_340_032 - queue * 1_000_000,
                    _ => 0,
                };
            }
        }
        foreach (var name in AdminCounters)
        {
            counters[$"ena_admin_q_{name}"] = name is "submitted_cmd" or "completed_cmd" ? 27 : 0;
        }
        return counters;
    }

    private static readonly string[] TxCounters =
        ["cnt", "bytes", "queue_stop", "queue_wakeup", "dma_mapping_err", "linearize", "linearize_failed", "napi_comp", "tx_poll", "doorbells", "prepare_ctx_err", "bad_req_id", "llq_buffer_copy", "missed_tx", "unmask_interrupt"];

    private static readonly string[] RxCounters =
        ["cnt", "bytes", "rx_copybreak_pkt", "csum_good", "refil_partial", "csum_bad", "page_alloc_fail", "skb_alloc_fail", "dma_mapping_err", "bad_desc_num", "bad_req_id", "empty_rx_ring", "csum_unchecked", "xdp_aborted", "xdp_drop", "xdp_pass", "xdp_tx", "xdp_invalid", "xdp_redirect"];

    [GeneratedRegex("^(all|global)$")]
    private static partial Regex AllOrGlobal();

    private static readonly string[] AdminCounters = ["aborted_cmd", "submitted_cmd", "completed_cmd", "out_of_space", "no_completion"];

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
