using System.Runtime.InteropServices;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Remembers what the rules said about a message, keyed by the line without its timestamp: kernel
/// logs repeat the same messages (boot lines, warnings, the same fault on every queue) under
/// different timestamps, and a message seen before then costs a hash and one comparison instead of
/// the gate, the anchor scan and a regex. Exact: the whole message is stored and compared, so a hash
/// collision is only a miss. Fixed size (direct-mapped, a newer message replaces an older one), so
/// memory stays flat on any log. Only the timestamp is cut off, and only in the strict forms below,
/// so two lines with the same key differ in timestamp digits alone, which no rule looks at.
/// </summary>
internal sealed class MessageMemo
{
    /// <summary>Not remembered (the caller must judge the line).</summary>
    public const int Unknown = int.MinValue;

    private const int Slots = 1024;
    private const int MaxMessage = 256;

    private readonly char[] _text = new char[Slots * MaxMessage];
    private readonly int[] _length = new int[Slots];
    private readonly int[] _value = new int[Slots];

    public MessageMemo() => Array.Fill(_length, -1);

    /// <returns>The value stored for this line's message, or <see cref="Unknown"/>.</returns>
    public int Find(ReadOnlySpan<char> line)
    {
        var message = Message(line);
        if (message.Length > MaxMessage)
        {
            return Unknown;
        }
        var slot = Slot(message);
        return _length[slot] == message.Length && message.SequenceEqual(_text.AsSpan(slot * MaxMessage, message.Length))
            ? _value[slot]
            : Unknown;
    }

    public void Remember(ReadOnlySpan<char> line, int value)
    {
        var message = Message(line);
        if (message.Length > MaxMessage)
        {
            return;
        }
        var slot = Slot(message);
        message.CopyTo(_text.AsSpan(slot * MaxMessage));
        _length[slot] = message.Length;
        _value[slot] = value;
    }

    /// <summary>Mixes the length and up to the first 32 and last 16 characters: enough to spread messages; equality is checked in full.</summary>
    private static int Slot(ReadOnlySpan<char> message)
    {
        var hash = (ulong)message.Length * 0x9E3779B97F4A7C15UL;
        hash = Mix(hash, message[..Math.Min(32, message.Length)]);
        hash = Mix(hash, message[Math.Max(0, message.Length - 16)..]);
        return (int)(hash >> 54) & (Slots - 1);
    }

    private static ulong Mix(ulong hash, ReadOnlySpan<char> part)
    {
        var words = MemoryMarshal.Cast<char, ulong>(part);
        foreach (var word in words)
        {
            hash = (hash ^ word) * 0xFF51AFD7ED558CCDUL;
        }
        for (var i = words.Length * 4; i < part.Length; i++)
        {
            hash = (hash ^ part[i]) * 0xC4CEB9FE1A85EC53UL;
        }
        return hash ^ (hash >> 29);
    }

    /// <summary>The line without a leading timestamp: `[  123.456] `, `[ +0.005] `, `&lt;3&gt;[ 1.2] `, `Nov 27 03:12:45 `, `2026-11-27T03:12:45+0000 `.</summary>
    internal static ReadOnlySpan<char> Message(ReadOnlySpan<char> line)
    {
        var start = 0;
        if (line.Length > 3 && line[0] == '<' && char.IsAsciiDigit(line[1]) && line[2] == '>')
        {
            start = 3;
        }
        var rest = line[start..];
        var length = rest.IsEmpty ? 0 : rest[0] switch
        {
            '[' => BracketStamp(rest),
            >= '0' and <= '9' => IsoStamp(rest),
            _ => SyslogStamp(rest),
        };
        return length == 0 ? line : rest[length..];
    }

    /// <summary>`[  123.456] ` or `[ +0.005] `: digits, one dot, an optional plus, spaces; nothing else.</summary>
    private static int BracketStamp(ReadOnlySpan<char> s)
    {
        var close = s.IndexOf(']');
        if (close < 2 || close > 24)
        {
            return 0;
        }
        foreach (var c in s[1..close])
        {
            if (!(char.IsAsciiDigit(c) || c is ' ' or '.' or '+'))
            {
                return 0;
            }
        }
        return close + 1 < s.Length && s[close + 1] == ' ' ? close + 2 : close + 1;
    }

    /// <summary>`2026-11-27T03:12:45+0000 `: digits and `-T:.+Z` up to the first space.</summary>
    private static int IsoStamp(ReadOnlySpan<char> s)
    {
        var space = s.IndexOf(' ');
        if (space < 10 || s[4] != '-')
        {
            return 0;
        }
        foreach (var c in s[..space])
        {
            if (!(char.IsAsciiDigit(c) || c is '-' or 'T' or ':' or '.' or '+' or 'Z'))
            {
                return 0;
            }
        }
        return space + 1;
    }

    /// <summary>`Nov 27 03:12:45 `: a month, a day, a time.</summary>
    private static int SyslogStamp(ReadOnlySpan<char> s) =>
        s.Length > 16 && LogTime.MonthIndex(s[..3]) >= 0 && s[3] == ' ' && (s[4] == ' ' || char.IsAsciiDigit(s[4])) && char.IsAsciiDigit(s[5])
        && s[6] == ' ' && char.IsAsciiDigit(s[7]) && char.IsAsciiDigit(s[8]) && s[9] == ':' && char.IsAsciiDigit(s[10]) && char.IsAsciiDigit(s[11])
        && s[12] == ':' && char.IsAsciiDigit(s[13]) && char.IsAsciiDigit(s[14]) && s[15] == ' '
            ? 16
            : 0;
}
