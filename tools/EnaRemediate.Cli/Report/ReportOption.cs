using System.CommandLine;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Cli.Report;

/// <summary>`--report FILE.html` for simulate, remediate and status, and the rows it draws from the store's records.</summary>
internal static class ReportOption
{
    public static Option<string?> Create() => new("--report") { Description = "Also write a self-contained HTML timeline (one row per instance, its steps on a time axis) to this file." };

    /// <summary>The latest record of each instance as a row; an instance without one is shown as <paramref name="noRecordOutcome"/>.</summary>
    public static async Task<IReadOnlyList<TimelineRow>> RowsAsync(IRemediationStore store, IEnumerable<string> instanceIds, DateTimeOffset now,
        Func<string, string> subtitle, Func<string, Func<DateTimeOffset, DateTimeOffset, double>?> callsFor, string noRecordOutcome, string noRecordReason, CancellationToken ct)
    {
        var rows = new List<TimelineRow>();
        foreach (var id in instanceIds.Distinct(StringComparer.Ordinal))
        {
            rows.Add(await store.GetLatestAsync(id, ct) is { } record
                ? TimelineRow.From(record, subtitle(id), now, callsFor(id))
                : TimelineRow.Without(id, subtitle(id), noRecordOutcome, noRecordReason));
        }
        return rows;
    }

    /// <summary>Writes the page and says where, on stderr (stdout may be JSON).</summary>
    public static void Write(string path, string title, string summary, IReadOnlyList<TimelineRow> rows)
    {
        TimelineReport.Write(path, title, summary, rows);
        Console.Error.WriteLine($"enaremediate: timeline report written to {Path.GetFullPath(path)}");
    }
}
