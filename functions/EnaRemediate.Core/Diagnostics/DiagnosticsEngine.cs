using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Reads what the ENA driver, the kernel, dkms and the build printed and says what it means
/// (docs/diagnostics.md). Pure and in-process: the CLI, the Lambda `diagnose` handler and the
/// remediation's validate step all call this. Never throws on the content of an input; only an
/// input that cannot be opened or read (IOException, UnauthorizedAccessException) escapes.
/// </summary>
public static class DiagnosticsEngine
{
    /// <param name="inputs">The documents to judge, in any mix of kinds.</param>
    /// <param name="baseline">
    /// An earlier snapshot (ethtool -S or host report). Cumulative counters are then judged by how
    /// much they grew since, not by their absolute value.
    /// </param>
    public static Diagnosis Diagnose(IReadOnlyList<DiagnosticInput> inputs, IReadOnlyList<DiagnosticInput>? baseline = null)
    {
        var counters = ReadBaseline(baseline);
        var findings = new FindingCollector();
        var infos = new List<InputInfo>(inputs.Count);
        foreach (var input in inputs)
        {
            infos.Add(DocumentReader.Read(input, findings, sample => CounterRules.Judge(sample, counters?.Find(sample), findings)));
        }
        return findings.ToDiagnosis(infos);
    }

    /// <summary>Judges a host report already in memory (the validate step, the simulator's guests).</summary>
    public static Diagnosis Diagnose(HostReport report, HostReport? baseline = null, string name = "host-report")
    {
        CounterBaseline? counters = null;
        if (baseline is not null)
        {
            counters = new CounterBaseline();
            HostReportJudge.Judge(baseline, "baseline", new FindingCollector(), counters.Add);
        }
        var findings = new FindingCollector();
        HostReportJudge.Judge(report, name, findings, sample => CounterRules.Judge(sample, counters?.Find(sample), findings));
        return findings.ToDiagnosis([new InputInfo(name, InputKind.HostReport)]);
    }

    private static CounterBaseline? ReadBaseline(IReadOnlyList<DiagnosticInput>? baseline)
    {
        if (baseline is null || baseline.Count == 0)
        {
            return null;
        }
        var counters = new CounterBaseline();
        var ignored = new FindingCollector();
        foreach (var input in baseline)
        {
            DocumentReader.Read(input, ignored, counters.Add);
        }
        return counters;
    }
}
