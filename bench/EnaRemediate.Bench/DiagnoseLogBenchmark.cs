using System.Diagnostics;
using System.Text;
using EnaRemediate.Core.Diagnostics;

namespace EnaRemediate.Bench;

/// <summary>
/// `diagnose-log [MiB] [--unique-messages]`: writes a synthetic kernel log (default 1024 MiB: kernel
/// noise in several prefix styles with ENA faults and recoveries sprinkled in) to a temp file,
/// classifies it with the diagnostics engine, and prints throughput and peak memory. The engine
/// streams, so peak memory must stay flat whatever the size. `--unique-messages` appends a sequence
/// number to every noise line, so no message repeats: the worst case for the engine's message memo.
/// </summary>
public static class DiagnoseLogBenchmark
{
    private static readonly string[] Noise =
    [
        "EXT4-fs (nvme0n1p1): re-mounted. Opts: discard,errors=remount-ro. Quota mode: none.",
        "audit: type=1400 audit(1764213160.120:41): apparmor=\"STATUS\" operation=\"profile_load\" name=\"/usr/bin/man\"",
        "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
        "nvme nvme0: 2/0/0 default/read/poll queues",
        "TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.",
        "systemd[1]: Started Daily apt upgrade and clean activities.",
        "ena 0000:00:05.0: Elastic Network Adapter (ENA) found at mem febf8000, mac addr 02:8a:3c:1e:13:b5",
        "[ENA_COM: ena_com_set_host_attributes] Set host attribute isn't supported",
        "IPv4: martian source 10.0.0.255 from 10.0.0.14, on dev eth0",
        "xfs filesystem being remounted at /data supports timestamps until 2038 (0x7fffffff)",
    ];

    private static readonly string[] Incident =
    [
        "ena 0000:00:05.0 eth0: Found a Tx that wasn't completed on time, qid 3, index 220. 2 usecs have passed since last napi execution. Missing Tx timeout value 5000 msecs",
        "ena 0000:00:05.0 eth0: Keep alive watchdog timeout.",
        "ena 0000:00:05.0 eth0: Trigger reset is on",
        "ena 0000:00:05.0 eth0: tx_timeout: 0",
        "ena 0000:00:05.0: Device reset completed successfully, Driver info: Elastic Network Adapter (ENA) v2.16.1g",
    ];

    public static int Run(string[] args)
    {
        var mebibytes = args.Length > 0 && int.TryParse(args[0], out var size) && size > 0 ? size : 1024;
        var unique = args.Contains("--unique-messages", StringComparer.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"enaremediate-bench-{Environment.ProcessId}.log");
        try
        {
            var generate = Stopwatch.StartNew();
            var (bytes, lines) = Generate(path, (long)mebibytes << 20, unique);
            Console.WriteLine($"generated {bytes / (1 << 20)} MiB, {lines:N0} lines in {generate.Elapsed.TotalSeconds:F1} s: {path}");

            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var classify = Stopwatch.StartNew();
            var diagnosis = DiagnosticsEngine.Diagnose([DiagnosticInput.FromFile(path)]);
            classify.Stop();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

            using var self = Process.GetCurrentProcess();
            self.Refresh();
            var seconds = classify.Elapsed.TotalSeconds;
            Console.WriteLine($"verdict {diagnosis.Verdict.ToWireName()}; findings: {string.Join(", ", diagnosis.Findings.Select(f => $"{f.Code} x{f.Occurrences}"))}");
            // CPU time as well as wall time: on a shared machine the wall clock includes waiting for a core.
            var cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
            Console.WriteLine($"classified in {seconds:F1} s wall, {cpu:F1} s CPU: {bytes / (1 << 20) / seconds:F0} MiB/s wall, {bytes / (1 << 20) / cpu:F0} MiB/s per CPU second, {lines / seconds:N0} lines/s");
            Console.WriteLine($"peak working set {self.PeakWorkingSet64 / (1 << 20)} MiB; GC heap now {GC.GetTotalMemory(false) / (1 << 20)} MiB; allocated {allocated / (1 << 20):N0} MiB; gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Deterministic: the same size gives the same file. One incident every ~50,000 lines.</summary>
    private static (long Bytes, long Lines) Generate(string path, long targetBytes, bool unique)
    {
        var random = new Random(2026);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20);
        long lines = 0;
        var seconds = 0.0;
        var line = new StringBuilder(256);
        while (stream.Position < targetBytes)
        {
            seconds += random.NextDouble() / 100;
            var incident = random.Next(50_000) == 0;
            var messages = incident ? Incident : [Noise[random.Next(Noise.Length)]];
            foreach (var message in messages)
            {
                line.Clear();
                switch (lines % 3)
                {
                    case 0: line.Append('[').Append(seconds.ToString("F6").PadLeft(12)).Append("] "); break;
                    case 1: line.Append("Nov 27 03:12:45 ip-10-0-1-17 kernel: "); break;
                    default: line.Append("2026-11-27T03:12:45+0000 ip-10-0-1-17 kernel: "); break;
                }
                line.Append(message);
                if (unique && !incident)
                {
                    line.Append(" seq=").Append(lines);
                }
                writer.Write(line.Append('\n'));
                lines++;
            }
        }
        writer.Flush();
        return (stream.Length, lines);
    }
}
