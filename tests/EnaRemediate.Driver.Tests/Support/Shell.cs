using System.Diagnostics;
using System.Text.Json;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Driver.Tests.Support;

public sealed record ShellResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The last non-empty stdout line: where install-ena.sh puts its result.</summary>
    public string LastLine => Stdout.TrimEnd('\n').Split('\n')[^1];

    public InstallResult InstallResult() =>
        JsonSerializer.Deserialize<InstallResult>(LastLine, HostReportJson.Options)
        ?? throw new InvalidOperationException($"no install result in:\n{this}");

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs a program with an argument list (never a command string) and captures its output.</summary>
public static class Shell
{
    public static ShellResult Run(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish");
        }
        return new ShellResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public static ShellResult Run(string file, params string[] arguments) => Run(file, arguments, null);

    /// <summary>Runs and requires exit 0; the message carries the output when it fails.</summary>
    public static string Check(string file, params string[] arguments)
    {
        var result = Run(file, arguments);
        Assert.True(result.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed:\n{result}");
        return result.Stdout;
    }
}
