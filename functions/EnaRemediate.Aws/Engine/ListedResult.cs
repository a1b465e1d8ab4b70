using EnaRemediate.Core.Engine.Ports;
using SdkInvocation = Amazon.SimpleSystemsManagement.Model.CommandInvocation;

namespace EnaRemediate.Aws.Engine;

/// <summary>
/// The result of an invocation from ListCommandInvocations with Details, when the listing holds its
/// whole stdout. The agent writes a step's listed Output as stdout, then (when there is any)
/// "\n----------ERROR-------\n" and stderr, in at most 2,500 characters: a short stdout is kept
/// whole and stderr cut to the rest; a cut stream ends with "\n---Output truncated---" or
/// "\n---Error truncated----" (amazon-ssm-agent iohandler TruncateOutput). Only stdout is judged
/// (stderr is kept for people, and GetCommandInvocation cuts it too, at 8,000), so a cut stderr
/// still gives a result; a cut stdout gives none.
/// </summary>
internal static class ListedResult
{
    private const string ErrorHeader = "\n----------ERROR-------\n";
    private const string OutputCut = "\n---Output truncated---";

    /// <summary>The result when the listing carried all of stdout; null while it runs, for a document of several steps, or for a cut stdout.</summary>
    public static CommandInvocation? Whole(SdkInvocation listed, string status)
    {
        var result = new CommandInvocation(status, null, "", "");
        if (!result.IsFinal || listed.CommandPlugins is not [var plugin])
        {
            return null;
        }
        var output = plugin.Output ?? "";
        var header = output.IndexOf(ErrorHeader, StringComparison.Ordinal);
        // A second header means stdout itself printed one: where stderr begins is unknown.
        if (header >= 0 && output.IndexOf(ErrorHeader, header + 1, StringComparison.Ordinal) >= 0)
        {
            return null;
        }
        var stdout = header < 0 ? output : output[..header];
        if (stdout.EndsWith(OutputCut, StringComparison.Ordinal))
        {
            return null;
        }
        var stderr = header < 0 ? "" : output[(header + ErrorHeader.Length)..];
        return result with { ResponseCode = plugin.ResponseCode, StandardOutput = stdout, StandardError = stderr };
    }
}
