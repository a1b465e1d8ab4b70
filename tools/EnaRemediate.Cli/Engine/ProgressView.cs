using EnaRemediate.Core.Engine;
using Spectre.Console;

namespace EnaRemediate.Cli.Engine;

/// <summary>
/// The live progress of a remediation: one row per instance (step, elapsed, last event) redrawn in
/// place on a terminal; plain lines, one per change, when output is redirected.
/// </summary>
internal sealed class ProgressView
{
    private readonly Dictionary<string, string> _lastPrinted = new(StringComparer.Ordinal);

    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Ansi;

    public async Task<T> RunAsync<T>(Func<Action<AdvanceResult>, Task<T>> work)
    {
        if (!Interactive)
        {
            return await work(PrintChanges);
        }
        var table = NewTable();
        T result = default!;
        await AnsiConsole.Live(table).AutoClear(false).StartAsync(async context =>
        {
            result = await work(advance =>
            {
                table.Rows.Clear();
                foreach (var record in advance.Records)
                {
                    table.AddRow(
                        Markup.Escape(record.InstanceId),
                        Markup.Escape(record.Plan),
                        Markup.Escape(record.Outcome ?? record.Step),
                        TimeSpan.FromSeconds(Math.Round(record.ElapsedSeconds)).ToString(),
                        Markup.Escape(Shorten(record.OutcomeReason ?? record.LastEvent ?? "")));
                }
                context.Refresh();
            });
        });
        return result;
    }

    private static Table NewTable()
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in new[] { "instance", "plan", "step", "elapsed", "last event" })
        {
            table.AddColumn(column);
        }
        return table;
    }

    private void PrintChanges(AdvanceResult advance)
    {
        foreach (var record in advance.Records)
        {
            var line = $"{record.InstanceId} {record.Outcome ?? record.Step} +{Math.Round(record.ElapsedSeconds)}s {record.OutcomeReason ?? record.LastEvent}";
            var key = record.Outcome ?? record.Step + record.LastEvent;
            if (_lastPrinted.GetValueOrDefault(record.RemediationId) != key)
            {
                _lastPrinted[record.RemediationId] = key;
                Console.WriteLine(line);
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 90 ? text : text[..87] + "...";
}
