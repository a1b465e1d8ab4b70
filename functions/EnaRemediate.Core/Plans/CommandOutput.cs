using System.Text.Json;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Plans;

/// <summary>Reads the JSON documents the driver's SSM documents print (docs/host-report.md).</summary>
public static class CommandOutput
{
    /// <summary>The install result is the last non-empty stdout line; null when it is missing or not JSON.</summary>
    public static InstallResult? ParseInstallResult(string stdout)
    {
        var last = stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
        return last is null ? null : TryDeserialize<InstallResult>(last);
    }

    /// <summary>The host report is the JSON object in stdout (anything printed around it is ignored); null when there is none.</summary>
    public static HostReport? ParseHostReport(string stdout)
    {
        var start = stdout.IndexOf('{');
        var end = stdout.LastIndexOf('}');
        return start < 0 || end <= start ? null : TryDeserialize<HostReport>(stdout[start..(end + 1)]);
    }

    private static T? TryDeserialize<T>(string json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, HostReportJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
