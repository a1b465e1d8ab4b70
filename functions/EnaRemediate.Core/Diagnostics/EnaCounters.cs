namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Counter names only the ena driver reports (FACTS.md §3, every generation): a `NIC statistics:`
/// section with none of them is another driver's (virtio_net, ixgbevf, e1000e, be2net …), even
/// when it shares generic names such as tx_timeout with ENA.
/// </summary>
internal static class EnaCounters
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "total_resets", "reset_fail", "wd_expired", "admin_q_pause", "missing_tx_cmpl", "missing_intr", "missing_first_intr",
        "suspected_poll_starvation", "os_netdev_wd", "missing_admin_interrupt", "admin_to", "device_request_reset",
        "interface_up", "interface_down", "io_suspend", "io_resume", "num_of_active_io_queues", "bad_tx_req_id", "bad_rx_req_id",
        "bad_rx_desc_num", "rx_desc_malformed", "tx_desc_malformed", "invalid_state",
    };

    public static bool IsEna(string name) =>
        Names.Contains(name)
        || name.StartsWith("ena_", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("_allowance_exceeded", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("_allowance_available", StringComparison.OrdinalIgnoreCase)
        || IsEnaQueueCounter(name);

    /// <summary>ENA's per-queue names are `queue_N_tx_…`/`queue_N_rx_…` (virtio's are `rx_queue_N_…`).</summary>
    private static bool IsEnaQueueCounter(string name) =>
        CounterRules.QueueSuffix(name) is { } suffix
        && (suffix.StartsWith("tx_", StringComparison.OrdinalIgnoreCase) || suffix.StartsWith("rx_", StringComparison.OrdinalIgnoreCase));
}
