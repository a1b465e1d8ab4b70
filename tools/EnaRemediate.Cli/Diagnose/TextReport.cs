using EnaRemediate.Core.Diagnostics;
using Spectre.Console;

namespace EnaRemediate.Cli.Diagnose;

/// <summary>
/// The human rendering of a diagnosis, for a person at 3 a.m.: the verdict and what it means
/// first, then each finding worst first with its evidence and what to do. Colour only on a
/// terminal that wants it (not redirected, NO_COLOR unset, TERM not dumb).
/// </summary>
public static class TextReport
{
    public static bool TerminalWantsColour() =>
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);

    public static void Write(Diagnosis diagnosis, TextWriter output, bool colour)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = colour ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        if (!colour)
        {
            // Redirected output is read by tools and people with wide windows: never wrap evidence lines.
            console.Profile.Width = int.MaxValue / 2;
        }

        var verdict = diagnosis.Verdict;
        console.MarkupLine($"[bold {VerdictColour(verdict)}]{verdict.ToWireName()}[/]  {Markup.Escape(Meaning(verdict))}");
        console.MarkupLine($"[grey]inputs: {Markup.Escape(string.Join(", ", diagnosis.Inputs.Select(i => $"{i.Name} ({i.Kind.ToWireName()})")))}[/]");
        foreach (var finding in diagnosis.Findings)
        {
            console.WriteLine();
            var more = finding.Occurrences > finding.Evidence.Count ? $" ({finding.Occurrences} occurrences, first {finding.Evidence.Count} shown)" : "";
            console.MarkupLine($"[bold {SeverityColour(finding.Severity)}]{finding.Severity.ToWireName().ToUpperInvariant()}[/] [bold]{finding.Code}[/]{Markup.Escape(more)}");
            foreach (var evidence in finding.Evidence)
            {
                var where = evidence.Line > 0 ? $"{evidence.Input}:{evidence.Line}" : evidence.Input;
                console.MarkupLine($"  [grey]{Markup.Escape(where)}[/]  {Markup.Escape(evidence.Text)}");
            }
            console.MarkupLine($"  [italic]→ {Markup.Escape(finding.Advice)}[/]");
        }
    }

    private static string Meaning(Verdict verdict) => verdict switch
    {
        Verdict.Healthy => "No ENA problem found.",
        Verdict.Ignorable => "Only known-benign warnings: nothing to do.",
        Verdict.Throttled => "EC2 shaped traffic (allowance exceeded); the driver is fine.",
        Verdict.ResetRecovered => "A fault happened and the device reset recovered it.",
        Verdict.Unrecognised => "This is not driver, kernel, build or tool output: nothing can be vouched for.",
        Verdict.NotEna => "This is another driver's output: ENA is not in use there.",
        Verdict.Failure => "The ENA device or driver failed and did not recover.",
        Verdict.NotReady => "No usable ena module for the kernel that matters: do not enable ENA.",
        Verdict.BuildFailure => "The ena driver did not build or install.",
        _ => "",
    };

    private static string VerdictColour(Verdict verdict) => verdict switch
    {
        Verdict.Healthy or Verdict.Ignorable => "green",
        Verdict.Throttled or Verdict.ResetRecovered => "yellow",
        _ => "red",
    };

    private static string SeverityColour(Severity severity) => severity switch
    {
        Severity.Info => "blue",
        Severity.Warning => "yellow",
        _ => "red",
    };
}
