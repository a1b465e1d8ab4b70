using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Tests.Diagnostics;

/// <summary>
/// The engine's final validation asks for the host report without per-queue counters
/// (Counters=global, docs/host-report.md). That is sound only while no per-queue counter can turn a
/// verdict into a failure: these pin it, for every per-queue name the 6.1 driver (ena_ethtool.c)
/// and the out-of-tree driver print, at a value no healthy host reaches.
/// </summary>
public sealed class PerQueueCounterVerdictTests
{
    public static TheoryData<string> PerQueueNames()
    {
        string[] tx = ["cnt", "bytes", "queue_stop", "queue_wakeup", "dma_mapping_err", "linearize", "linearize_failed", "napi_comp", "tx_poll",
            "doorbells", "prepare_ctx_err", "bad_req_id", "llq_buffer_copy", "missed_tx", "unmask_interrupt", "missing_tx_comp"];
        string[] rx = ["cnt", "bytes", "rx_copybreak_pkt", "csum_good", "refil_partial", "csum_bad", "page_alloc_fail", "skb_alloc_fail",
            "dma_mapping_err", "bad_desc_num", "bad_req_id", "empty_rx_ring", "csum_unchecked", "xdp_aborted", "xdp_drop", "xdp_pass", "xdp_tx",
            "xdp_invalid", "xdp_redirect", "bad_csum"];
        var names = new TheoryData<string>();
        foreach (var name in tx.Select(n => $"queue_3_tx_{n}").Concat(rx.Select(n => $"queue_3_rx_{n}")))
        {
            names.Add(name);
        }
        return names;
    }

    [Theory]
    [MemberData(nameof(PerQueueNames))]
    public void NoPerQueueCounterFailsTheVerdict(string name)
    {
        var verdict = DiagnosticsEngine.Diagnose(BoundHost(name, 1_000_000)).Verdict;
        Assert.DoesNotContain(verdict, new[] { Verdict.Failure, Verdict.NotReady, Verdict.BuildFailure });
    }

    [Theory]
    [InlineData("reset_fail", 1)]
    [InlineData("total_resets", 100_000)]
    public void ADeviceWideCounterDoesAndSoStaysInTheReport(string name, long value) =>
        Assert.Equal(Verdict.Failure, DiagnosticsEngine.Diagnose(BoundHost(name, value)).Verdict);

    private static HostReport BoundHost(string counter, long value) => new()
    {
        RunningKernel = "6.1.0-28-amd64",
        Kernels = [new KernelEntry { Kernel = "6.1.0-28-amd64", Running = true, Headers = true, EnaModule = new EnaModuleInfo("/lib/modules/6.1.0-28-amd64/updates/dkms/ena.ko", "2.13.3g", false) }],
        Interfaces = [new InterfaceEntry("eth0", "ena", "2.13.3g", "0000:00:05.0", "up")],
        EthtoolStats = new Dictionary<string, IReadOnlyDictionary<string, long>> { ["eth0"] = new Dictionary<string, long> { [counter] = value } },
    };
}
