using System.Text.Json;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Plans;

/// <summary>
/// Reads the JSON documents the driver's SSM documents print (docs/host-report.md). Total: any
/// string, including malformed JSON, JSON of the wrong shape, null elements and lone UTF-16
/// surrogates, gives a document or null, never an exception (one host's output must not stop a batch).
/// </summary>
public static class CommandOutput
{
    /// <summary>The install result is the last non-empty stdout line; null when it is missing or not JSON.</summary>
    public static InstallResult? ParseInstallResult(string? stdout)
    {
        var last = (stdout ?? "").Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
        return last is null ? null : TryDeserialize<InstallResult>(last)?.WithoutNulls();
    }

    /// <summary>The host report is the JSON object in stdout (anything printed around it is ignored); null when there is none.</summary>
    public static HostReport? ParseHostReport(string? stdout)
    {
        stdout ??= "";
        var start = stdout.IndexOf('{');
        var end = stdout.LastIndexOf('}');
        return start < 0 || end <= start ? null : TryDeserialize<HostReport>(stdout[start..(end + 1)])?.WithoutNulls();
    }

    private static T? TryDeserialize<T>(string json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, HostReportJson.Options);
        }
        // JsonException: not JSON or the wrong shape; ArgumentException: text that is not valid
        // UTF-16 (a lone surrogate); InvalidOperationException: an escaped lone surrogate; NotSupportedException: a type mismatch the serialiser cannot bind.
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }
}
