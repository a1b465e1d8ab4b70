using EnaRemediate.Core.Diagnostics;

namespace EnaRemediate.Cli.Diagnose;

/// <summary>
/// Turns command-line paths into diagnostic inputs, failing early and in one line for a path that
/// is missing, a directory, unreadable or empty, so the engine only ever sees readable documents.
/// </summary>
public static class InputFiles
{
    public static bool Open(IReadOnlyList<string> paths, out IReadOnlyList<DiagnosticInput> inputs, out string error)
    {
        var opened = new List<DiagnosticInput>(paths.Count);
        inputs = opened;
        error = "";
        foreach (var path in paths)
        {
            if (path == "-")
            {
                opened.Add(DiagnosticInput.FromStream("<stdin>", Console.OpenStandardInput()));
                continue;
            }
            if (Directory.Exists(path))
            {
                error = $"'{path}' is a directory, not a file";
                return false;
            }
            try
            {
                // Open once now so that a missing or unreadable file is reported before any output.
                using (var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                {
                    if (probe.CanSeek && probe.Length == 0)
                    {
                        error = $"'{path}' is empty: nothing to diagnose";
                        return false;
                    }
                }
                opened.Add(DiagnosticInput.FromFile(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                error = e is FileNotFoundException or DirectoryNotFoundException
                    ? $"cannot read '{path}': no such file"
                    : $"cannot read '{path}': {e.Message}";
                return false;
            }
        }
        return true;
    }
}
