namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// The advice text for each code: what to do next, written for an operator woken at night.
/// Kept in one table so the CLI, the docs and the validate step say the same thing.
/// </summary>
internal static class FindingAdvice
{
    public static string For(string code) => code switch
    {
        FindingCodes.KeepAliveTimeout =>
            "The device stopped sending keep-alive events and the driver reset it. One event is survivable; if it repeats, update the ena driver and, if it persists, stop and start the instance to move it to other hardware.",
        FindingCodes.MissingTxCompletions =>
            "Transmitted packets were not completed by the device in time (the driver resets above a threshold). Check CPU starvation of the ksoftirqd/napi threads, then update the ena driver.",
        FindingCodes.TxTimeout =>
            "The kernel's netdev watchdog saw a transmit queue stall. Check the driver version and CPU load; repeated timeouts need a driver update or a stop/start.",
        FindingCodes.AdminQueueTimeout =>
            "The device did not answer admin commands (or its interrupt was lost). Usually a driver/kernel mismatch or a device fault: update the ena driver; if it persists, stop and start the instance.",
        FindingCodes.MmioReadTimeout =>
            "Register reads timed out. A single timeout is retried and harmless; a sequence means an incompatible or badly compiled driver, a busy device or a hardware fault: rebuild the driver for this kernel, then stop/start.",
        FindingCodes.DeviceInitFailed =>
            "The ena device failed to initialise or register, so the instance has no ENA network interface. Check that the module matches the running kernel (modinfo ena, uname -r) and reinstall it through DKMS.",
        FindingCodes.MsixIssue =>
            "Interrupts (MSI-X) from the device were lost or could not be set up. Check irqbalance/CPU affinity and the kernel's MSI-X support; update the ena driver.",
        FindingCodes.AllocationFailure =>
            "The driver could not allocate rx buffers or pages: the host is under memory pressure. The driver retries; free memory or raise vm.min_free_kbytes if it keeps happening.",
        FindingCodes.BadReqId =>
            "The device completed a request id the driver did not expect (descriptor corruption); the driver resets the device. Update the ena driver; if it repeats, stop and start the instance.",
        FindingCodes.ResetRecovered =>
            "The device was reset and the reset completed: traffic was lost briefly, TCP should have recovered. Look at the fault that caused it; nothing else to do if it does not repeat.",
        FindingCodes.ResetFailed =>
            "A device reset failed (or never completed), so the interface is down. Reload the driver by rebooting, or stop and start the instance; if enaSupport must stay, reinstall the driver first.",
        FindingCodes.CrashLoop =>
            "The device is being reset over and over (a crash loop). This will not settle by itself: capture the logs, update or reinstall the ena driver for this kernel, then stop and start the instance.",
        FindingCodes.AllowanceExceeded =>
            "EC2 shaped traffic because an instance allowance (bandwidth, PPS, conntrack or link-local) was exceeded. The driver is fine: reduce the traffic or use a larger instance type.",
        FindingCodes.IgnorableWarning =>
            "Known benign messages (AWS lists them as ignorable): no action needed.",
        FindingCodes.HeadersMissing =>
            "Kernel headers are not installed for this kernel, so DKMS cannot build the ena module for it (and will not rebuild it after a kernel update). Install linux-headers/kernel-devel for that kernel, then run dkms autoinstall.",
        FindingCodes.BuildFailed =>
            "The ena module did not build or install. Read the make/dkms log for the first error; fix it and rerun the install before turning enaSupport on.",
        FindingCodes.KernelApiMismatch =>
            "The ena module does not match this kernel's API or symbols. Retrying the same release cannot help: pick an ena release that supports this kernel, or rebuild the module for it through DKMS.",
        FindingCodes.ModuleMissing =>
            "There is no ena module for this kernel. With enaSupport on, an instance booting it loses its network. Install the driver through DKMS for every installed kernel before enabling ENA.",
        FindingCodes.SuboptimalConfiguration =>
            "The configuration works but is not what AWS recommends (see the evidence): apply the suggested setting at the next maintenance window.",
        FindingCodes.EnaNotBound =>
            "The interface is not driven by ena (the Xen netfront 'vif', Intel 'ixgbevf', 'virtio_net' …): ENA is not in use on this host. Expected while enaSupport is off during a fallback; a validation after enabling ENA must fail on this. Check enaSupport (describe-instance-attribute) and that the ena module is loaded (lsmod | grep ena).",
        FindingCodes.CompileError =>
            "The ena source did not compile against this kernel's headers (the first compiler error is the evidence). Retrying cannot help: pick an ena release that supports this kernel (the release notes list the supported kernels), or make sure the headers installed are exactly the running kernel's.",
        FindingCodes.KernelCrash =>
            "The kernel crashed (BUG/Oops/general protection fault/panic) with the ena module in the trace. Capture the full trace (dmesg, or get-console-output), report it to the driver maintainers (github.com/amzn/amzn-drivers issues) with the driver and kernel versions, and move to a driver release that fixes it or to the distribution's in-tree module.",
        FindingCodes.DeviceRequestedReset =>
            "The device detected an unhealthy state and asked the driver to reset it (driver 2.12+). If the reset completed, traffic recovered; if it repeats, stop and start the instance to move it to other hardware.",
        FindingCodes.ResetLoop =>
            "Two or more device resets within ten minutes: even when each completes, the interface keeps dropping traffic. Find the fault behind the resets (the other findings), update the ena driver, and stop/start the instance if it continues.",
        FindingCodes.CpuStarvation =>
            "Soft lockups, RCU stalls or a starved NAPI handler next to missing TX completions: the CPUs did not run the driver's completion handler in time, so the likely root cause is CPU starvation, not the device. Look for the workload or kernel issue holding the CPUs (the lockup's trace), and check irqbalance and the instance size.",
        FindingCodes.TrafficShaping =>
            "EC2 allowance shaping (an *_allowance_exceeded counter grew) next to missing TX completions or TX timeouts: the likely root cause is traffic above the instance's allowance, not a driver fault. Reduce packet rate or bandwidth, or use a larger instance type.",
        FindingCodes.OtherDriverStatistics =>
            "These statistics carry none of ENA's counters: they come from another driver (virtio_net, ixgbevf, e1000e …), so ENA is not in use on the interface they describe. Run ethtool -S on the ENA interface, or enable ENA on the instance.",
        FindingCodes.UnrecognisedInput =>
            "Nothing in this input is driver, kernel, build or tool output (the first line is shown), so nothing can be vouched for. Pass the output of dmesg/journalctl -k, ethtool -S/-i, modinfo ena, the dkms make.log or a host report.",
        _ => "See docs/diagnostics.md.",
    };
}
