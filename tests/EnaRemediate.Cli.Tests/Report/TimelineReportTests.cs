using System.Text.RegularExpressions;
using EnaRemediate.Cli.Tests.Engine;

namespace EnaRemediate.Cli.Tests.Report;

/// <summary>`simulate --report FILE.html` rendered by headless Chromium: one row per instance, steps as bars, nothing fetched.</summary>
public sealed partial class TimelineReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("enaremediate-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task SimulateReportRendersOneRowPerInstanceWithItsStepsAndHistory()
    {
        var page = Path.Combine(_dir, "timeline.html");
        var run = await CliProcess.RunAsync(["simulate", "--speed", "1000", "--format", "json", "--report", page]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var instances = System.Text.Json.JsonDocument.Parse(run.Stdout).RootElement.GetProperty("instances").EnumerateArray()
            .ToDictionary(i => i.GetProperty("instanceId").GetString()!, i => i.GetProperty("outcome").GetString()!);

        var html = await File.ReadAllTextAsync(page);
        // Self-contained: no script, stylesheet link, image or URL to fetch.
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotMatch("https?://", html);

        var dom = await HeadlessChromium.DumpDomAsync(page);
        var rows = RowPattern().Matches(dom).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(instances.Keys.Order(), rows.Order());
        foreach (var (id, outcome) in instances)
        {
            var row = RowOf(dom, id);
            Assert.Contains($"badge {outcome}", row);
            var bars = BarPattern().Matches(row).Select(m => m.Groups[1].Value).ToList();
            if (outcome == "recovered")
            {
                Assert.Contains("install-driver", bars);
                Assert.Contains("validate-final", bars);
                Assert.Contains("AWS calls", row);
            }
            if (outcome == "healthy")
            {
                Assert.Empty(bars);
            }
        }
        Assert.Contains("4 fixed, 1 healthy, 3 refused, 0 failed", dom);
    }

    private static string RowOf(string dom, string instanceId)
    {
        var start = dom.IndexOf($"data-instance=\"{instanceId}\"", StringComparison.Ordinal);
        var end = dom.IndexOf("</details>", start, StringComparison.Ordinal);
        return dom[start..end];
    }

    [GeneratedRegex("<details class=\"row\" data-instance=\"(i-[0-9a-f]+)\"")]
    private static partial Regex RowPattern();

    [GeneratedRegex("class=\"bar [a-z-]+\" data-step=\"([a-z-]+)\"")]
    private static partial Regex BarPattern();
}
