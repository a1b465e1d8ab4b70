using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>Judges a host report exactly as docs/host-report.md ("How diagnose judges it") says.</summary>
internal static class HostReportJudge
{
    public static void Judge(HostReport report, string input, FindingCollector findings, Action<CounterSample> onCounter)
    {
        JudgeKernels(report, input, findings);
        JudgeDkms(report, input, findings);
        JudgeNetworkNaming(report, input, findings);

        foreach (var (iface, counters) in report.EthtoolStats ?? new Dictionary<string, IReadOnlyDictionary<string, long>>())
        {
            foreach (var (name, value) in counters ?? new Dictionary<string, long>())
            {
                onCounter(new CounterSample($"{input}#ethtoolStats", 0, iface, name, value));
            }
        }

        var log = new TextDocumentAnalyzer($"{input}#kernelLog", InputKind.KernelLog, findings, onCounter);
        var lines = report.KernelLog ?? [];
        for (var i = 0; i < lines.Count; i++)
        {
            log.Line(i + 1, lines[i] ?? "");
        }
        log.Finish();
    }

    private static void JudgeKernels(HostReport report, string input, FindingCollector findings)
    {
        var kernels = (report.Kernels ?? []).Where(k => k is not null && !string.IsNullOrEmpty(k.Kernel)).ToArray();
        var newest = kernels.Select(k => k.Kernel).Max(KernelVersionComparer.Instance);
        for (var i = 0; i < kernels.Length; i++)
        {
            var kernel = kernels[i];
            var running = kernel.Running == true || kernel.Kernel == report.RunningKernel;
            var isNewest = kernel.Kernel == newest;
            if (kernel.EnaModule is null)
            {
                var role = running ? " (the running kernel)" : isNewest ? " (the newest installed kernel: the next boot's)" : "";
                findings.Add(FindingCodes.ModuleMissing,
                    new Evidence(input, 0, $"kernels[{i}] {kernel.Kernel}: no ena module{role}"),
                    running || isNewest ? FindingEffect.NotReady : FindingEffect.Advice,
                    running || isNewest ? Severity.Error : Severity.Warning);
            }
            if (kernel.Headers == false)
            {
                findings.Add(FindingCodes.HeadersMissing,
                    new Evidence(input, 0, $"kernels[{i}] {kernel.Kernel}: no kernel headers, DKMS cannot build for it"),
                    FindingEffect.Advice, Severity.Warning);
            }
        }
    }

    /// <summary>A broken entry, or ena only ever `added` (never built or installed), means the build failed.</summary>
    private static void JudgeDkms(HostReport report, string input, FindingCollector findings)
    {
        var ena = (report.Dkms ?? []).Where(d => d is not null && string.Equals(d.Module, "ena", StringComparison.OrdinalIgnoreCase)).ToArray();
        foreach (var entry in ena.Where(d => string.Equals(d.State, "broken", StringComparison.OrdinalIgnoreCase)))
        {
            findings.Add(FindingCodes.BuildFailed, new Evidence(input, 0, Describe(entry)), FindingEffect.BuildFailure, Severity.Error);
        }
        var builtSomewhere = ena.Any(d => d.State is { } s && (s.Equals("built", StringComparison.OrdinalIgnoreCase) || s.StartsWith("installed", StringComparison.OrdinalIgnoreCase)));
        if (!builtSomewhere && ena.FirstOrDefault(d => string.Equals(d.State, "added", StringComparison.OrdinalIgnoreCase)) is { } added)
        {
            findings.Add(FindingCodes.BuildFailed, new Evidence(input, 0, Describe(added) + " (added but never built)"), FindingEffect.BuildFailure, Severity.Error);
        }
    }

    private static string Describe(DkmsEntry entry) => $"dkms: {entry.Module}/{entry.Version}, {entry.Kernel ?? "-"}, {entry.Arch ?? "-"}: {entry.State}";

    /// <summary>AWS advises net.ifnames=0 and no 70-persistent-net.rules pinning old names. Advice only.</summary>
    private static void JudgeNetworkNaming(HostReport report, string input, FindingCollector findings)
    {
        var commandLineKnown = report.NetIfnames is not null || report.KernelCommandLine is not null;
        if (commandLineKnown && report.NetIfnames != "0")
        {
            findings.Add(FindingCodes.SuboptimalConfiguration,
                new Evidence(input, 0, $"netIfnames: {report.NetIfnames ?? "absent"} (AWS advises net.ifnames=0 on the kernel command line)"),
                FindingEffect.Advice);
        }
        if (report.PersistentNetRules == true)
        {
            findings.Add(FindingCodes.SuboptimalConfiguration,
                new Evidence(input, 0, "persistentNetRules: true (/etc/udev/rules.d/70-persistent-net.rules can pin old interface names)"),
                FindingEffect.Advice);
        }
    }
}
