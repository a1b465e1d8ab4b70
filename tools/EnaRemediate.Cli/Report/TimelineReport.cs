using System.Globalization;
using System.Net;
using System.Text;

namespace EnaRemediate.Cli.Report;

/// <summary>
/// `--report FILE.html`: one self-contained page (inline CSS, no script, nothing fetched) with one
/// row per instance, its steps as bars on a shared time axis coloured by the outcome, each bar's
/// calls and events on hover (title), and the record's full history on click (details).
/// </summary>
internal static class TimelineReport
{
    private const string Style = """
        body{font:14px system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}
        h1{font-size:20px;margin:0 0 4px}.summary{margin:0 0 16px;color:#444}
        .axis,.row>summary{display:grid;grid-template-columns:340px 1fr;gap:12px;align-items:center}
        .axis{font-size:12px;color:#555;border-bottom:1px solid #ccc;padding-bottom:4px}
        .ticks{position:relative;height:16px}.ticks span{position:absolute;transform:translateX(-50%)}.ticks span:first-child{transform:none}.ticks span:last-child{transform:translateX(-100%)}
        .row{border-bottom:1px solid #eee}.row>summary{list-style:none;cursor:pointer;padding:6px 0}
        .row>summary::-webkit-details-marker{display:none}
        .label b{font-family:ui-monospace,monospace}.label small{display:block;color:#555}
        .track{position:relative;height:22px;background:#f4f5f7;border-radius:3px}
        .bar{position:absolute;top:2px;bottom:2px;min-width:3px;border-radius:2px;opacity:.85;border-right:1px solid #fff}
        .bar:nth-child(even){opacity:.65}
        .recovered,.ami-registered{background:#2e9e4f}.rolled-back,.escalated{background:#e08a00}.failed{background:#d1342f}
        .refused{background:#8c959f}.healthy,.diagnosed{background:#3b82c4}.dry-run{background:#9aa7b5}.running{background:#8250df}
        .badge{display:inline-block;padding:0 6px;border-radius:8px;color:#fff;font-size:12px}
        table{border-collapse:collapse;margin:6px 0 12px 352px;font-size:12px}td{padding:1px 8px 1px 0;vertical-align:top}
        .legend span{margin-right:12px}
        """;

    public static void Write(string path, string title, string summary, IReadOnlyList<TimelineRow> rows) =>
        File.WriteAllText(path, Render(title, summary, rows), new UTF8Encoding(false));

    public static string Render(string title, string summary, IReadOnlyList<TimelineRow> rows)
    {
        var bars = rows.SelectMany(r => r.Steps).ToList();
        var from = bars.Count == 0 ? DateTimeOffset.UnixEpoch : bars.Min(s => s.Start);
        var to = bars.Count == 0 ? from.AddMinutes(1) : bars.Max(s => s.End);
        var span = Math.Max(1, (to - from).TotalSeconds);
        string Percent(DateTimeOffset at) => ((at - from).TotalSeconds / span * 100).ToString("0.###", CultureInfo.InvariantCulture);

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body>");
        html.Append("<h1>").Append(E(title)).Append("</h1><p class=\"summary\">").Append(E(summary)).Append("</p>");
        html.Append("<p class=\"legend\">").Append(string.Concat(new[] { "recovered", "healthy", "refused", "rolled-back", "failed", "running" }.Select(o => $"<span><span class=\"badge {o}\">{o}</span></span>"))).Append("</p>");
        html.Append("<div class=\"axis\"><div>instance (click a row for its history)</div><div class=\"ticks\">");
        for (var i = 0; i <= 4; i++)
        {
            var at = from.AddSeconds(span * i / 4);
            html.Append($"<span style=\"left:{i * 25}%\">+{E(Elapsed(at - from))}</span>");
        }
        html.Append("</div></div>");
        foreach (var row in rows)
        {
            var colour = Colour(row.Outcome);
            html.Append($"<details class=\"row\" data-instance=\"{E(row.InstanceId)}\"><summary><div class=\"label\"><b>{E(row.InstanceId)}</b> <span class=\"badge {colour}\">{E(row.Outcome)}</span><small>{E(row.Subtitle)}</small></div><div class=\"track\">");
            foreach (var step in row.Steps)
            {
                var width = ((step.End - step.Start).TotalSeconds / span * 100).ToString("0.###", CultureInfo.InvariantCulture);
                var tip = $"{step.Name}: {step.Start:HH:mm:ss}–{step.End:HH:mm:ss} ({Elapsed(step.End - step.Start)})"
                    + (step.Calls is { } calls ? $", {calls.ToString("0.##", CultureInfo.InvariantCulture)} AWS calls" : "")
                    + "\n" + string.Join("\n", step.Events);
                html.Append($"<div class=\"bar {colour}\" data-step=\"{E(step.Name)}\" style=\"left:{Percent(step.Start)}%;width:{width}%\" title=\"{E(tip)}\"></div>");
            }
            html.Append("</div></summary><table>");
            if (row.Reason is not null)
            {
                html.Append($"<tr><td></td><td></td><td><b>{E(row.Reason)}</b></td></tr>");
            }
            foreach (var entry in row.History)
            {
                html.Append($"<tr><td>{entry.At:yyyy-MM-dd HH:mm:ss}Z</td><td>{E(entry.Step)}</td><td>{E(entry.Event)}</td></tr>");
            }
            html.Append("</table></details>");
        }
        html.Append("</body></html>");
        return html.ToString();
    }

    /// <summary>The CSS class of an outcome ("running: step" while unfinished).</summary>
    private static string Colour(string outcome) => outcome.StartsWith("running", StringComparison.Ordinal) ? "running" : outcome switch
    {
        "recovered" or "ami-registered" or "rolled-back" or "escalated" or "failed" or "refused" or "healthy" or "diagnosed" or "dry-run" => outcome,
        _ => "failed",
    };

    private static string Elapsed(TimeSpan span) => span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m" : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds:00}s" : $"{span.TotalSeconds:0}s";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
