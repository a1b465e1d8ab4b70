using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Engine.Validation;

/// <summary>
/// The engine's validate judgement: the structural checks the plan depends on (a module for every
/// installed kernel; ena bound to an interface) plus the diagnostics engine's verdict.
/// </summary>
public sealed class HostReportValidator : IHostValidator
{
    public ValidationResult CheckDriverInstalled(HostReport report)
    {
        var verdict = DiagnosticsEngine.Diagnose(report).Verdict;
        var kernels = report.Kernels ?? [];
        if (kernels.Count == 0)
        {
            return new(false, "the host report lists no installed kernels, so the driver cannot be shown to be installed", verdict.ToWireName());
        }
        var missing = kernels.Where(k => k.EnaModule?.Path is null).Select(k => k.Kernel).ToList();
        if (missing.Count > 0)
        {
            return new(false, $"no ena module for kernel(s) {string.Join(", ", missing)}: turning ENA on would leave a boot of those kernels unreachable", verdict.ToWireName());
        }
        if (verdict is Verdict.BuildFailure or Verdict.NotReady)
        {
            return new(false, $"the diagnostics verdict is {verdict.ToWireName()}", verdict.ToWireName());
        }
        var running = kernels.FirstOrDefault(k => k.Running == true) ?? kernels[0];
        return new(true, $"every installed kernel ({kernels.Count}) has an ena module; verdict {verdict.ToWireName()}", verdict.ToWireName(), running.EnaModule?.Version);
    }

    public ValidationResult CheckEnaBound(HostReport report)
    {
        var verdict = DiagnosticsEngine.Diagnose(report).Verdict;
        var ena = (report.Interfaces ?? []).FirstOrDefault(i => i.Driver == "ena");
        if (ena is null)
        {
            return new(false, "no network interface is bound to the ena driver", verdict.ToWireName());
        }
        if (verdict is Verdict.Failure or Verdict.NotReady or Verdict.BuildFailure)
        {
            return new(false, $"ena is bound but the diagnostics verdict is {verdict.ToWireName()}", verdict.ToWireName());
        }
        var running = (report.Kernels ?? []).FirstOrDefault(k => k.Running == true);
        var version = ena.DriverVersion ?? running?.EnaModule?.Version;
        return new(true, $"{ena.Name} is bound to ena {version}; verdict {verdict.ToWireName()}", verdict.ToWireName(), version);
    }
}
