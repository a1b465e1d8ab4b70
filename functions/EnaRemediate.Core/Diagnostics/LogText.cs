namespace EnaRemediate.Core.Diagnostics;

/// <summary>How a line of pasted log text starts: quote prefixes to drop, log prefixes that begin a record.</summary>
internal static class LogText
{
    /// <summary>
    /// Drops quote prefixes (`> `, `>> `, `> > `, indented `     > `) that e-mail, chat and issue
    /// replies put in front of pasted output. A line without one is returned as it is.
    /// </summary>
    public static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> line)
    {
        var start = 0;
        while (start < line.Length && line[start] is ' ' or '\t')
        {
            start++;
        }
        if (start == line.Length || line[start] != '>')
        {
            return line;
        }
        while (start < line.Length && line[start] is '>' or ' ' or '\t')
        {
            start++;
        }
        return line[start..];
    }

    /// <summary>
    /// True when the line starts a log record: dmesg `[…]`, console `&lt;N&gt;`, journal `-- `,
    /// ISO `2026-11-27…` or syslog `Nov 27 …`. A line of a kernel log without one is the rest of
    /// the line before it, cut by whatever wrapped the text.
    /// </summary>
    public static bool HasLogPrefix(ReadOnlySpan<char> line)
    {
        if (line.IsEmpty)
        {
            return false;
        }
        return line[0] switch
        {
            '[' => true,
            '<' => line.Length > 1 && char.IsAsciiDigit(line[1]),
            '-' => line.StartsWith("-- "),
            >= '0' and <= '9' => line.Length > 4 && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2]) && char.IsAsciiDigit(line[3]) && line[4] == '-',
            _ => line.Length > 4 && LogTime.MonthIndex(line[..3]) >= 0 && line[3] == ' ' && (line[4] == ' ' || char.IsAsciiDigit(line[4])),
        };
    }

    /// <summary>The first word ends with ':' (`insmod:`, `driver:`, `NIC statistics:` …): a line of its own, never a continuation.</summary>
    public static bool StartsWithLabel(ReadOnlySpan<char> line)
    {
        var end = line.IndexOfAny(' ', '\t');
        var word = end < 0 ? line : line[..end];
        return word.Length > 1 && word[^1] == ':';
    }
}
