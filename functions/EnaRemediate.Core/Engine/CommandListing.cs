namespace EnaRemediate.Core.Engine;

/// <summary>
/// How a look reads the status of the commands of one document it waits on: one
/// ListCommandInvocations per command (exact: one page each, a command has at most 50 targets) or
/// one listing of the document's invocations since the oldest was sent (50 a page, everyone's,
/// the finished ones too). The listing's pages are estimated from how densely the document's last
/// listing, within the last minute, held invocations; without one, more than two commands list the document.
/// </summary>
internal sealed class CommandListing(TimeProvider time)
{
    private const int PageSize = 50;
    private const int ListDocumentAbove = 2;
    private static readonly TimeSpan EstimateFor = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, (double PerSecond, DateTimeOffset At)> _density = new(StringComparer.Ordinal);

    /// <summary>Whether listing the document is cheaper than listing each of <paramref name="commands"/> commands.</summary>
    public bool ListsDocument(string document, int commands, TimeSpan window)
    {
        if (!_density.TryGetValue(document, out var seen) || time.GetUtcNow() - seen.At > EstimateFor)
        {
            return commands > ListDocumentAbove;
        }
        var pages = Math.Max(1, (int)Math.Ceiling(seen.PerSecond * Seconds(window) / PageSize));
        return pages < commands;
    }

    /// <summary>What a listing of the document held: <paramref name="invocations"/> in <paramref name="window"/>.</summary>
    public void Listed(string document, int invocations, TimeSpan window) =>
        _density[document] = (invocations / Seconds(window), time.GetUtcNow());

    private static double Seconds(TimeSpan window) => Math.Max(1, window.TotalSeconds);
}
