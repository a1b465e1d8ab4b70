using System.Globalization;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Reads a log line's timestamp as seconds on the log's own clock, so that resets can be compared
/// by how far apart they are: dmesg `[ 123.456]` (since boot), dmesg relative `[ +0.005]` (summed by
/// the caller), dmesg -T `[Fri Nov 27 03:12:45 2026]`, ISO `2026-11-27T03:12:45…` and syslog
/// `Nov 27 03:12:45` (year-less: seconds within the year). Only reset lines are read, so this is
/// off the hot path.
/// </summary>
internal static class LogTime
{
    /// <summary>"jan" … "dec" as three lower-case ASCII letters packed in an int: one compare per month, no string work.</summary>
    private static readonly int[] Months = new[] { "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" }
        .Select(m => Pack(m[0], m[1], m[2])).ToArray();

    /// <returns>0 for Jan … 11 for Dec, -1 when the three characters are not a month's abbreviation.</returns>
    public static int MonthIndex(ReadOnlySpan<char> name) =>
        name.Length == 3 && name[0] < 128 && name[1] < 128 && name[2] < 128 ? Array.IndexOf(Months, Pack(name[0], name[1], name[2])) : -1;

    private static int Pack(char a, char b, char c) => ((a | 0x20) << 16) | ((b | 0x20) << 8) | (c | 0x20);

    /// <summary>The delta of a relative dmesg line (`[  +0.005123]`), or null when the line is not one.</summary>
    public static double? RelativeDelta(ReadOnlySpan<char> line)
    {
        if (line.Length < 4 || line[0] != '[')
        {
            return null;
        }
        var inner = line[1..].TrimStart();
        if (inner.IsEmpty || inner[0] != '+')
        {
            return null;
        }
        var end = inner.IndexOf(']');
        return end > 1 && double.TryParse(inner[1..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var delta) ? delta : null;
    }

    /// <param name="relativeClock">The sum of the relative deltas so far, used for `[ +…]` lines.</param>
    public static double? Seconds(ReadOnlySpan<char> line, double relativeClock)
    {
        if (line.IsEmpty)
        {
            return null;
        }
        if (line[0] == '[')
        {
            var end = line.IndexOf(']');
            if (end < 0)
            {
                return null;
            }
            var inner = line[1..end].Trim();
            if (!inner.IsEmpty && inner[0] == '+')
            {
                return relativeClock;
            }
            if (double.TryParse(inner, NumberStyles.Float, CultureInfo.InvariantCulture, out var sinceBoot))
            {
                return sinceBoot;
            }
            // dmesg -T pads single-digit days with a second space.
            return DateTime.TryParseExact(inner.ToString().Replace("  ", " "), "ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var stamped)
                ? (stamped - DateTime.UnixEpoch).TotalSeconds
                : null;
        }
        if (char.IsAsciiDigit(line[0]))
        {
            var end = line.IndexOf(' ');
            return DateTimeOffset.TryParse(end < 0 ? line : line[..end], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso)
                ? iso.ToUnixTimeMilliseconds() / 1000.0
                : null;
        }
        return Syslog(line);
    }

    /// <summary>`Nov 27 03:12:45`: no year, so seconds from the start of a 31-day-month year (only differences matter).</summary>
    private static double? Syslog(ReadOnlySpan<char> line)
    {
        if (line.Length < 15 || MonthIndex(line[..3]) is var month && month < 0)
        {
            return null;
        }
        var rest = line[4..15];
        var day = rest[..2].Trim();
        if (!int.TryParse(day, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
            || !TimeSpan.TryParseExact(rest[3..11], @"hh\:mm\:ss", CultureInfo.InvariantCulture, out var time))
        {
            return null;
        }
        return ((month * 31.0) + d) * 86400 + time.TotalSeconds;
    }
}
