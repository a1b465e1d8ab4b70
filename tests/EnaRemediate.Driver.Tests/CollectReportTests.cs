using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EnaRemediate.Core.HostReports;
using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>
/// collect-ena.sh on this machine: its output is the host report contract (deserialized with the
/// Core types), stays bounded, works without ethtool or jq. It reads /lib/modules, so it shares
/// the real-system collection and never observes an install half done.
/// </summary>
[Collection(RealSystemCollection.Name)]
public sealed class CollectReportTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("enaremediate-collect-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    internal static (HostReport Report, string Json) Collect(IReadOnlyDictionary<string, string?>? environment = null, params string[] arguments)
    {
        var result = Shell.Run(RepoPaths.CollectScript, arguments, environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Stdout.TrimEnd('\n');
        Assert.DoesNotContain('\n', json);
        var report = JsonSerializer.Deserialize<HostReport>(json, HostReportJson.Options);
        Assert.NotNull(report);
        return (report, json);
    }

    [Fact]
    public void TheReportDescribesThisHostInTheContractShape()
    {
        var (report, json) = Collect();
        Assert.Equal(HostReport.SchemaId, report.Schema);
        Assert.Equal(Shell.Check("uname", "-r").Trim(), report.RunningKernel);
        Assert.NotNull(report.GeneratedAt);
        Assert.Equal(File.ReadAllText("/proc/cmdline").TrimEnd('\n'), report.KernelCommandLine);
        Assert.False(string.IsNullOrEmpty(report.Distro?.Id));
        Assert.Equal(
            Directory.GetDirectories("/lib/modules").Select(Path.GetFileName).Order(StringComparer.Ordinal),
            report.Kernels!.Select(k => k.Kernel).Order(StringComparer.Ordinal));
        foreach (var kernel in report.Kernels!)
        {
            Assert.Equal(File.Exists($"/lib/modules/{kernel.Kernel}/build/Makefile"), kernel.Headers);
            Assert.Equal(kernel.Kernel == report.RunningKernel, kernel.Running);
        }
        Assert.Equal(report.Kernels!.All(k => k.EnaModule is not null), report.Readiness!.EnaCanBeEnabled);
        Assert.DoesNotContain(report.Interfaces!, i => i.Name == "lo");
        Assert.Equal(Directory.GetFileSystemEntries("/sys/class/net").Length - 1, report.Interfaces!.Count);
        Assert.False(report.Truncated);
        Assert.True(json.Length < 24_000);
    }

    [Fact]
    public void KernelLogIsFilteredToEnaLinesAndHostileBytesStayValidJson()
    {
        var log = Path.Combine(_work, "kern.log");
        var lines = new[]
        {
            "[    4.104871] ena 0000:00:05.0: Elastic Network Adapter (ENA) found at mem febf8000, mac addr 02:8a:3c:1e:13:b5",
            "[    5.000000] usb 1-1: new high-speed USB device number 2",
            "Nov 27 03:12:45 ip-10-0-1-17 kernel: ena 0000:00:05.0 eth0: Keep alive watchdog timeout. \"quoted\" \\back\\slash\ttab",
            "[   10.1] [ENA_COM: ena_com_wait_and_process_admin_cq_interrupts] The ena device didn't send a completion for the admin cmd 9 status 0\u0001",
            "[   11.0] NETDEV WATCHDOG: eth0 (ena): transmit queue 3 timed out",
            "[   12.0] scheduling: ordinary line mentioning enable and arena",
        };
        var bytes = new List<byte>();
        foreach (var line in lines) bytes.AddRange(Encoding.UTF8.GetBytes(line + "\n"));
        bytes.AddRange("ena: invalid byte here: "u8.ToArray());
        bytes.Add(0xff);
        bytes.AddRange(" end\n"u8.ToArray());
        File.WriteAllBytes(log, bytes.ToArray());

        var (report, _) = Collect(new Dictionary<string, string?> { ["ENA_COLLECT_KERNEL_LOG"] = log });
        Assert.Equal([lines[0], lines[2], lines[3], lines[4], "ena: invalid byte here:  end"], report.KernelLog);
    }

    [Fact]
    public void TheJqAndThePureShellEncodersProduceTheSameDocument()
    {
        var log = Path.Combine(_work, "kern.log");
        File.WriteAllText(log, "ena 0000:00:05.0 eth0: \"q\" \\ \t \u0001 \u001f \u007f é ✓\nena: second\n");
        var environment = new Dictionary<string, string?> { ["ENA_COLLECT_KERNEL_LOG"] = log };
        var (_, withJq) = Collect(environment);
        environment["ENA_JSON_NO_JQ"] = "1";
        var (_, withoutJq) = Collect(environment);

        static JsonNode Comparable(string json)
        {
            var node = JsonNode.Parse(json)!;
            node.AsObject().Remove("generatedAt");
            return node;
        }
        Assert.True(JsonNode.DeepEquals(Comparable(withJq), Comparable(withoutJq)), $"jq:\n{withJq}\nbash:\n{withoutJq}");
        Assert.Equal("ena 0000:00:05.0 eth0: \"q\" \\ \t \u0001 \u001f \u007f é ✓",
            JsonNode.Parse(withoutJq)!["kernelLog"]![0]!.GetValue<string>());
    }

    [Fact]
    public void InterfacesComeFromSysfsWhenEthtoolIsAbsent()
    {
        // A sysfs layout as the kernel builds it: the device link names the PCI address, the
        // driver link names the driver. PATH keeps ethtool out even where it is installed.
        var net = Path.Combine(_work, "net");
        var pci = Path.Combine(_work, "devices", "pci0000:00", "0000:00:05.0");
        Directory.CreateDirectory(Path.Combine(_work, "bus", "pci", "drivers", "ena"));
        Directory.CreateDirectory(pci);
        File.CreateSymbolicLink(Path.Combine(pci, "driver"), Path.Combine(_work, "bus", "pci", "drivers", "ena"));
        foreach (var name in new[] { "lo", "eth0" })
        {
            Directory.CreateDirectory(Path.Combine(net, name));
            File.WriteAllText(Path.Combine(net, name, "operstate"), name == "lo" ? "unknown\n" : "up\n");
        }
        File.CreateSymbolicLink(Path.Combine(net, "eth0", "device"), pci);

        var noEthtool = Path.Combine(_work, "bin");
        Directory.CreateDirectory(noEthtool);
        foreach (var tool in new[] { "bash", "uname", "modinfo", "dkms", "cat", "grep", "sed", "awk", "tail", "paste", "date", "hostname",
                     "basename", "readlink", "iconv", "tr", "jq", "lsinitramfs", "env", "dirname", "dmesg", "flock", "mkdir" })
        {
            var found = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
            if (found is not null) File.CreateSymbolicLink(Path.Combine(noEthtool, tool), found);
        }
        var (report, _) = Collect(new Dictionary<string, string?>
        {
            ["ENA_COLLECT_SYS_CLASS_NET"] = net,
            ["PATH"] = noEthtool,
        });
        var eth0 = Assert.Single(report.Interfaces!);
        Assert.Equal(new InterfaceEntry("eth0", "ena", null, "0000:00:05.0", "up"), eth0);
        Assert.Null(report.EthtoolStats);
    }

    [Fact]
    public void AFloodOfLogLinesIsCutToStayUnderTheSsmOutputLimit()
    {
        var log = Path.Combine(_work, "kern.log");
        File.WriteAllLines(log, Enumerable.Range(0, 1000).Select(i => $"[{i,8}.000000] ena 0000:00:05.0 eth0: line {i} " + new string('x', 400)));
        var (report, json) = Collect(new Dictionary<string, string?> { ["ENA_COLLECT_KERNEL_LOG"] = log });
        Assert.True(json.Length <= 23_000, $"{json.Length} characters");
        Assert.True(report.Truncated);
        Assert.NotEmpty(report.KernelLog!);
        // The most recent lines are the ones kept.
        Assert.StartsWith("[     999.000000] ena", report.KernelLog![^1]);
        Assert.NotNull(report.Kernels);
    }

    /// <summary>
    /// An ENA eth0 as ethtool shows it (a stand-in `ethtool` first on PATH: this machine has no ENA
    /// device): device-wide counters and queue_N_ ones, as the 6.1 driver names them.
    /// </summary>
    private Dictionary<string, string?> EnaInterfaceWithEthtool()
    {
        var net = Path.Combine(_work, "net");
        Directory.CreateDirectory(Path.Combine(net, "eth0"));
        File.WriteAllText(Path.Combine(net, "eth0", "operstate"), "up\n");
        var bin = Path.Combine(_work, "ethtool-bin");
        Directory.CreateDirectory(bin);
        var ethtool = Path.Combine(bin, "ethtool");
        File.WriteAllText(ethtool, """
            #!/bin/sh
            case "$1" in
              -i) printf 'driver: ena\nversion: 2.13.3g\nbus-info: 0000:00:05.0\n' ;;
              -S) printf 'NIC statistics:\n     tx_timeout: 0\n     wd_expired: 3\n     queue_0_tx_cnt: 4329\n     queue_0_tx_bad_req_id: 2\n     queue_1_rx_cnt: 5120\n     ena_admin_q_aborted_cmd: 0\n' ;;
              *) exit 1 ;;
            esac
            """);
        Shell.Check("chmod", "+x", ethtool);
        return new Dictionary<string, string?>
        {
            ["ENA_COLLECT_SYS_CLASS_NET"] = net,
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
        };
    }

    [Fact]
    public void CountersGlobalLeavesOutOnlyThePerQueueCountersAndIsNotACut()
    {
        var environment = EnaInterfaceWithEthtool();
        var (all, _) = Collect(environment);
        Assert.Equal(["ena_admin_q_aborted_cmd", "queue_0_tx_bad_req_id", "queue_0_tx_cnt", "queue_1_rx_cnt", "tx_timeout", "wd_expired"],
            all.EthtoolStats!["eth0"].Keys.Order(StringComparer.Ordinal));

        var (global, globalJson) = Collect(environment, "--counters", "global");
        Assert.Equal(["ena_admin_q_aborted_cmd=0", "tx_timeout=0", "wd_expired=3"],
            global.EthtoolStats!["eth0"].Select(c => $"{c.Key}={c.Value}").Order(StringComparer.Ordinal));
        Assert.False(global.Truncated);
        Assert.Equal("ena", Assert.Single(global.Interfaces!).Driver);
        Assert.DoesNotContain("queue_", globalJson, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--counters", "none")]
    [InlineData("--counters", "all; reboot")]
    [InlineData("--counters")]
    [InlineData("--verbose")]
    public void ABadArgumentIsRefusedBeforeAnythingIsRead(params string[] arguments)
    {
        var result = Shell.Run(RepoPaths.CollectScript, arguments, null);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("collect-ena.sh: ", result.Stderr);
    }
}
