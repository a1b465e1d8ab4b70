using System.Text.Json;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Readiness;

/// <summary>
/// Reads the collect document's stdout as a host report. SSM keeps only the first 24,000
/// characters of stdout and ends a cut one with "---Output truncated---" (FACTS.md §4): a cut
/// report is not judged (its kernels may be the part that is missing) but named as cut.
/// </summary>
public static class HostReportOutput
{
    public const string SsmTruncationMarker = "---Output truncated---";

    /// <summary>The report, or null and the reason it cannot be read.</summary>
    public static (HostReport? Report, string? Problem) Read(string? stdout)
    {
        if (string.IsNullOrWhiteSpace(stdout))
        {
            return (null, "the collect document printed nothing");
        }
        if (stdout.TrimEnd().EndsWith(SsmTruncationMarker, StringComparison.Ordinal))
        {
            return (null, "SSM truncated the host report at 24,000 characters; give the collect command an S3 output bucket to read all of it");
        }
        var line = stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        try
        {
            var report = line is null ? null : JsonSerializer.Deserialize<HostReport>(line, HostReportJson.Options);
            return report?.Schema == HostReport.SchemaId
                ? (report, null)
                : (null, "the collect document's output is not an enaremediate.host-report/1 document");
        }
        catch (JsonException e)
        {
            return (null, $"the host report is not valid JSON: {e.Message}");
        }
    }
}
