using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Judges install-ena.sh's result line (docs/host-report.md): a kernel whose dkms step failed is a
/// build failure, named more precisely (headers_missing, kernel_api_mismatch) when its error or
/// the attached log says why.
/// </summary>
internal static class InstallResultJudge
{
    public static void Judge(InstallResult result, string input, FindingCollector findings)
    {
        var failedAnywhere = string.Equals(result.Status, "failed", StringComparison.OrdinalIgnoreCase);
        var kernels = (result.Kernels ?? []).Where(k => k is not null).ToArray();
        for (var i = 0; i < kernels.Length; i++)
        {
            var kernel = kernels[i];
            var evidence = new Evidence(input, 0, $"kernels[{i}] {kernel.Kernel}: dkms {kernel.Dkms ?? "-"}, headers {Describe(kernel.Headers)}{(kernel.Error is null ? "" : ": " + kernel.Error)}");
            if (string.Equals(kernel.Dkms, "failed", StringComparison.OrdinalIgnoreCase))
            {
                failedAnywhere = true;
                findings.Add(CodeFor(kernel), evidence, FindingEffect.BuildFailure, Severity.Error);
            }
            else if (kernel.Headers == false)
            {
                findings.Add(FindingCodes.HeadersMissing, evidence, FindingEffect.Advice, Severity.Warning);
            }
        }

        var buildFindingsBefore = BuildFindingCount(findings);
        if (!string.IsNullOrEmpty(result.Log))
        {
            var log = new TextDocumentAnalyzer($"{input}#log", InputKind.BuildOutput, findings, _ => { });
            var lines = result.Log.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                log.Line(i + 1, lines[i]);
            }
            log.Finish();
        }
        if (failedAnywhere && BuildFindingCount(findings) == buildFindingsBefore && !kernels.Any(k => string.Equals(k.Dkms, "failed", StringComparison.OrdinalIgnoreCase)))
        {
            findings.Add(FindingCodes.BuildFailed, new Evidence(input, 0, $"status: {result.Status}"), FindingEffect.BuildFailure, Severity.Error);
        }
    }

    private static int BuildFindingCount(FindingCollector findings) =>
        new[] { FindingCodes.BuildFailed, FindingCodes.HeadersMissing, FindingCodes.KernelApiMismatch }.Count(findings.Has);

    private static string CodeFor(InstallKernelResult kernel)
    {
        if (kernel.Headers == false)
        {
            return FindingCodes.HeadersMissing;
        }
        return kernel.Error is { } error && LineRules.Match(error) is { Effect: FindingEffect.BuildFailure } rule
            ? rule.Code
            : FindingCodes.BuildFailed;
    }

    private static string Describe(bool? value) => value switch { true => "yes", false => "no", null => "unknown" };
}
