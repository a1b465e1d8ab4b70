using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Readiness;

/// <summary>
/// Answers "does this instance keep its network across the next reboot and the next kernel
/// update?" from EC2's and SSM's facts and the host report (docs/inventory.md). Pure: the same
/// inputs always give the same row. The verdict is the worst impact of the findings.
/// </summary>
public static class ReadinessRules
{
    /// <param name="report">The host report; null when none could be read.</param>
    /// <param name="noReportReason">Why there is no report (collect failed, timed out, truncated); shown when <paramref name="report"/> is null.</param>
    public static InstanceReadiness Judge(InventoryInstance instance, HostReport? report, string? noReportReason = null)
    {
        var findings = new List<ReadinessFinding>();
        var row = new InstanceReadiness
        {
            InstanceId = instance.InstanceId,
            InstanceType = instance.InstanceType,
            EnaSupport = instance.EnaSupport,
            TypeEnaSupport = instance.TypeEnaSupport,
            OptedIn = instance.OptedIn,
            Verdict = ReadinessVerdict.NotManaged,
        };
        if (report is null)
        {
            findings.Add(WithoutReport(instance, noReportReason));
            return row with { Verdict = VerdictOf(findings, managed: false), Findings = findings };
        }

        var kernels = (report.Kernels ?? []).Where(k => k is not null && !string.IsNullOrEmpty(k.Kernel)).ToList();
        var running = kernels.FirstOrDefault(k => k.Kernel == report.RunningKernel) ?? kernels.FirstOrDefault(k => k.Running == true);
        var (next, assumed) = NextBoot(report, kernels);
        next ??= running;
        KernelRules.Judge(instance, report, running, next, findings);
        if (assumed && next is not null)
        {
            // The verdict stands on a guess: every finding about the next kernel says so.
            for (var i = 0; i < findings.Count; i++)
            {
                if (findings[i].Kernel == next.Kernel && findings[i].Impact is ReadinessImpact.NextReboot or ReadinessImpact.NextUpdate)
                {
                    findings[i] = findings[i] with { Message = findings[i].Message + AssumedNote };
                }
            }
        }
        NamingRules.Judge(instance, report, findings);
        return row with
        {
            RunningKernel = report.RunningKernel ?? running?.Kernel,
            NextKernel = next?.Kernel,
            RunningEna = EnaOf(running),
            NextEna = EnaOf(next),
            Dkms = next is null ? null : KernelRules.DkmsState(report, next.Kernel) ?? "-",
            Verdict = VerdictOf(findings, managed: true),
            Findings = findings,
        };
    }

    /// <summary>Appended to a next-kernel finding when the boot loader's default could not be read.</summary>
    public const string AssumedNote = " (the boot loader's default entry could not be read, so the newest installed kernel stands in for the next boot's)";

    /// <summary>
    /// The kernel the next boot runs: the host report's <c>defaultBootKernel</c> (the boot
    /// loader's default entry). A default with no module tree on the host is still the next
    /// boot's kernel, one without any ena module. When the report cannot tell, the newest
    /// installed kernel stands in (what GRUB's default and the distributions' kernel postinst
    /// pick) and <c>Assumed</c> says so, when there is more than one kernel to choose from.
    /// </summary>
    public static (KernelEntry? Next, bool Assumed) NextBoot(HostReport report, IReadOnlyList<KernelEntry> kernels)
    {
        if (report.DefaultBootKernel is { Length: > 0 } name)
        {
            return (kernels.FirstOrDefault(k => k.Kernel == name) ?? new KernelEntry { Kernel = name }, false);
        }
        return (NewestInstalled(kernels), kernels.Count > 1);
    }

    public static KernelEntry? NewestInstalled(IReadOnlyList<KernelEntry> kernels) =>
        kernels.OrderBy(k => k.Kernel, KernelVersionComparer.Instance).LastOrDefault();

    private static string? EnaOf(KernelEntry? kernel) => kernel?.EnaModule switch
    {
        null => null,
        { Version: { Length: > 0 } v } => v,
        { InTree: true } => "in-tree",
        _ => "present",
    };

    private static ReadinessVerdict VerdictOf(IReadOnlyList<ReadinessFinding> findings, bool managed)
    {
        var worst = findings.Count == 0 ? ReadinessImpact.Advice : findings.Max(f => f.Impact);
        return worst switch
        {
            ReadinessImpact.Now => ReadinessVerdict.BrokenNow,
            ReadinessImpact.NextReboot or ReadinessImpact.NextUpdate => ReadinessVerdict.AtRiskNextReboot,
            _ => managed ? ReadinessVerdict.Ready : ReadinessVerdict.NotManaged,
        };
    }

    // Without a report only EC2's and SSM's view is left: an instance they saw before and cannot
    // reach now is broken; one SSM never managed (or that is not running) cannot be judged.
    private static ReadinessFinding WithoutReport(InventoryInstance instance, string? reason)
    {
        var fix = $"enaremediate remediate --instance-id {instance.InstanceId} (docs/engine.md)";
        if (instance.State == "running" && instance.InstanceStatus == "impaired")
        {
            return new(ReadinessCodes.Unreachable, Severity.Critical, ReadinessImpact.Now, null,
                "the instance status check is impaired: the guest is off the network (a missing ena module fails this check)", fix);
        }
        if (instance.State == "running" && instance.PingStatus == "ConnectionLost")
        {
            // Lost by SSM while EC2 still reaches the guest: the agent stopped, not the network.
            return instance.InstanceStatus == "ok"
                ? new(ReadinessCodes.NoReport, Severity.Warning, ReadinessImpact.Advice, null,
                    "SSM lost this instance's agent while its instance status check is ok: the agent stopped or lost its credentials",
                    "restart amazon-ssm-agent and check the instance profile")
                : new(ReadinessCodes.Unreachable, Severity.Critical, ReadinessImpact.Now, null,
                    "SSM managed this instance before and has lost it: the guest is unreachable", fix);
        }
        if (instance.State != "running")
        {
            return new(ReadinessCodes.NoReport, Severity.Info, ReadinessImpact.Advice, null,
                $"the instance is {instance.State}: nothing runs to report", "run the inventory again once it is running");
        }
        if (reason is not null)
        {
            var code = reason.Contains("truncated", StringComparison.OrdinalIgnoreCase) ? ReadinessCodes.ReportTruncated : ReadinessCodes.NoReport;
            return new(code, Severity.Warning, ReadinessImpact.Advice, null, reason,
                "run EnaRemediate-CollectHostReport on the instance and read its output (docs/host-report.md)");
        }
        return new(ReadinessCodes.NoReport, Severity.Info, ReadinessImpact.Advice, null,
            "SSM does not manage this instance (no agent, no instance profile, or never registered)",
            "install the SSM agent and attach an instance profile with AmazonSSMManagedInstanceCore");
    }
}
