using System.CommandLine;
using EnaRemediate.Cli.Diagnose;
using EnaRemediate.Core.Diagnostics;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate diagnose FILE... [--baseline FILE] [--format text|json]`: judges driver output
/// (docs/diagnostics.md). Exit 0 HEALTHY/IGNORABLE, 1 THROTTLED/RESET_RECOVERED, 2 anything worse
/// (UNRECOGNISED and NOT_ENA included: neither vouches for ENA) or an unreadable/empty input, 64 bad usage.
/// </summary>
public static class DiagnoseCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Files to judge: ethtool -S/-i, dmesg/journalctl/syslog/console logs, dkms or make output, modinfo, nitro_check_script.sh output, a host report or install result. '-' reads stdin.",
            Arity = ArgumentArity.OneOrMore,
        };
        // An unknown option would otherwise be taken for a file name: make it a usage error
        // (a file really named like an option can be passed as ./-name).
        files.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.Length > 1 && t.Value.StartsWith('-')))
            {
                result.AddError($"unknown option '{token.Value}'");
            }
        });
        var baseline = new Option<string[]>("--baseline")
        {
            Description = "An earlier ethtool -S or host report: counters are judged by their growth since then.",
            DefaultValueFactory = _ => [],
        };
        var format = new Option<string>("--format")
        {
            Description = "Output format.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");

        var command = new Command("diagnose", "Judge ENA driver, kernel log and build output: verdict, findings, evidence and advice.");
        command.Arguments.Add(files);
        command.Options.Add(baseline);
        command.Options.Add(format);
        command.SetAction((parse, _) => Task.FromResult(Run(
            parse.GetValue(files) ?? [], parse.GetValue(baseline) ?? [], parse.GetValue(format) ?? "text")));
        return command;
    }

    private static int Run(string[] files, string[] baselineFiles, string format)
    {
        if (files.Concat(baselineFiles).Count(f => f == "-") > 1)
        {
            return Usage("stdin ('-') can be read only once");
        }
        if (InputFiles.Open(files, out var inputs, out var error) is false || InputFiles.Open(baselineFiles, out var baseline, out error) is false)
        {
            return Failure(error);
        }
        Diagnosis diagnosis;
        try
        {
            diagnosis = DiagnosticsEngine.Diagnose(inputs, baseline.Count == 0 ? null : baseline);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failure($"cannot read input: {e.Message}");
        }
        if (diagnosis.Inputs.FirstOrDefault(i => i.Kind == InputKind.Empty) is { } empty)
        {
            return Failure($"'{empty.Name}' is empty: nothing to diagnose");
        }
        if (format == "json")
        {
            using var stdout = Console.OpenStandardOutput();
            DiagnosisJson.Write(diagnosis, stdout);
            stdout.WriteByte((byte)'\n');
        }
        else
        {
            TextReport.Write(diagnosis, Console.Out, TextReport.TerminalWantsColour());
            foreach (var unknown in diagnosis.Inputs.Where(i => i.Kind == InputKind.Unknown))
            {
                Console.Error.WriteLine($"enaremediate: note: could not tell what '{unknown.Name}' is; it was searched for known messages only");
            }
        }
        return ExitCodeFor(diagnosis.Verdict);
    }

    public static int ExitCodeFor(Verdict verdict) => verdict switch
    {
        Verdict.Healthy or Verdict.Ignorable => ExitCodes.Ok,
        Verdict.Throttled or Verdict.ResetRecovered => ExitCodes.Attention,
        _ => ExitCodes.Failure,
    };

    private static int Failure(string message)
    {
        Console.Error.WriteLine($"enaremediate: {message}");
        return ExitCodes.Failure;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"enaremediate: {message}");
        return ExitCodes.Usage;
    }
}
