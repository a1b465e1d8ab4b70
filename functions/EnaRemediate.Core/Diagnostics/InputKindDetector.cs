using System.Text.RegularExpressions;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Tells what a text document is from its first lines. Each kind has a few unmistakable markers
/// (`NIC statistics:`, `vermagic:`, `bus-info:`, `ENA Module …`, dkms/kbuild chatter, log
/// timestamps); the most specific kind with a marker wins.
/// </summary>
internal static class InputKindDetector
{
    public const int LinesToInspect = 64;

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    /// <summary>
    /// Log timestamps and prefixes, the module tools' own lines (`insmod:`, `modprobe:`) and the lines
    /// of a kernel crash report (a console capture of one has no timestamps at all).
    /// </summary>
    private static readonly Regex KernelLogLine = new(
        @"^\s*(<\d>)?\[\s*\+?\d+(\.\d+)?\]|^\s*\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d |^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ kernel:|^\d{4}-\d\d-\d\dT\S+ \S+ kernel:|^-- (Logs begin|Boot |Journal begins)|\[ENA_COM|\bena \d{4}:|\bkernel: |\b(insmod|modprobe|rmmod): |Call [Tt]race:|\bRIP: |Internal error: Oops|Unable to handle kernel|Kernel panic - not syncing|general protection fault|invalid opcode: |kernel BUG at ",
        Options);

    /// <summary>dkms/kbuild chatter and compiler diagnostics (gcc and clang, with or without a builder's prefix).</summary>
    private static readonly Regex BuildLine = new(
        @"(^|[\s/])dkms([\s/:.]|$)|make(\[\d+\])?: |make -C |\bCC \[M\]|\bLD \[M\]|MODPOST|Building module|Kernel preparation unnecessary|^Error! |Running module version sanity check|\bdepmod\b|Cleaning build area|Sign command:|\.[ch]:\d+(:\d+)?: (fatal )?(error|warning): |\.[ch]: In function |compilation terminated|\d+ errors? generated\.",
        Options | RegexOptions.IgnoreCase);

    public static InputKind Detect(IReadOnlyList<string> lines)
    {
        int nonBlank = 0, counters = 0, kernelLog = 0, build = 0;
        bool statsHeader = false, nitro = false, modinfoFile = false, modinfoMagic = false, ethtoolDriver = false, ethtoolBus = false;
        foreach (var quoted in lines)
        {
            var raw = LogText.Unquote(quoted).ToString();
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            nonBlank++;
            statsHeader |= line.StartsWith("NIC statistics:", StringComparison.OrdinalIgnoreCase);
            nitro |= line.Contains("ENA Module", StringComparison.Ordinal) || line.Contains("NVMe Module", StringComparison.Ordinal);
            modinfoFile |= line.StartsWith("filename:", StringComparison.Ordinal) || line.StartsWith("modinfo:", StringComparison.Ordinal);
            modinfoMagic |= line.StartsWith("vermagic:", StringComparison.Ordinal) || line.StartsWith("srcversion:", StringComparison.Ordinal) || line.StartsWith("modinfo:", StringComparison.Ordinal);
            ethtoolDriver |= line.StartsWith("driver:", StringComparison.Ordinal);
            ethtoolBus |= line.StartsWith("bus-info:", StringComparison.Ordinal) || line.StartsWith("firmware-version:", StringComparison.Ordinal);
            if (CounterLine.TryParse(line, out _, out _))
            {
                counters++;
            }
            if (KernelLogLine.IsMatch(raw))
            {
                kernelLog++;
            }
            if (BuildLine.IsMatch(line))
            {
                build++;
            }
        }
        if (nonBlank == 0)
        {
            return InputKind.Empty;
        }
        if (nitro)
        {
            return InputKind.NitroCheck;
        }
        if (modinfoFile && modinfoMagic)
        {
            return InputKind.Modinfo;
        }
        if (ethtoolDriver && ethtoolBus)
        {
            return InputKind.EthtoolInfo;
        }
        if (statsHeader || (counters >= 3 && counters * 10 >= nonBlank * 6))
        {
            return InputKind.EthtoolStats;
        }
        if (build > 0 && build >= kernelLog)
        {
            return InputKind.BuildOutput;
        }
        if (kernelLog > 0 || lines.Any(line => LineRules.Match(line) is not null))
        {
            return InputKind.KernelLog;
        }
        return InputKind.Unknown;
    }
}

/// <summary>An `ethtool -S` line: `     name: value`, the name one token, the value an integer.</summary>
internal static class CounterLine
{
    public static bool TryParse(ReadOnlySpan<char> line, out string name, out long value)
    {
        name = "";
        value = 0;
        line = line.Trim();
        var colon = line.LastIndexOf(':');
        if (colon <= 0)
        {
            return false;
        }
        var key = line[..colon].TrimEnd();
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '[' or ']'))
            {
                return false;
            }
        }
        if (!long.TryParse(line[(colon + 1)..].Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value))
        {
            return false;
        }
        name = key.ToString();
        return true;
    }
}
