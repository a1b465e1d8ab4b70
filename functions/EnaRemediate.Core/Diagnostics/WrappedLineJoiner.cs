namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Puts back together kernel-log lines that an e-mail client, a chat or a terminal wrapped: a line
/// without a log prefix (and not a `label:` line of its own) right after a long line that had one is
/// the rest of that line. Wrapping at a word drops the space, so one is put back; wrapping at a
/// terminal's fixed width cuts a word, so the parts are joined as they are. Holds one line, so each
/// line is handed on once the next one shows it is complete.
/// </summary>
internal sealed class WrappedLineJoiner(Action<int, ReadOnlySpan<char>> onLine)
{
    /// <summary>Wrappers cut at 60 columns or more; a shorter line was not wrapped.</summary>
    public const int MinWrappedLength = 60;

    /// <summary>Widths at which terminals and chat clients hard-wrap (the cut falls inside a word).</summary>
    private static readonly int[] HardWrapWidths = [72, 76, 78, 79, 80, 100, 120, 132, 160];

    private readonly char[] _held = new char[BoundedLineReader.MaxLineLength];
    private int _heldLength;
    private int _heldNumber;
    private int _lastPartLength;

    public void Line(int number, ReadOnlySpan<char> line)
    {
        if (_heldLength > 0 && IsContinuation(line))
        {
            if (Array.IndexOf(HardWrapWidths, _lastPartLength) < 0)
            {
                _held[_heldLength++] = ' ';
            }
            var take = Math.Min(line.Length, _held.Length - _heldLength);
            line[..take].CopyTo(_held.AsSpan(_heldLength));
            _heldLength += take;
            _lastPartLength = line.Length;
            return;
        }
        Flush();
        if (line.Length >= MinWrappedLength && LogText.HasLogPrefix(line))
        {
            line.CopyTo(_held);
            _heldLength = line.Length;
            _heldNumber = number;
            _lastPartLength = line.Length;
            return;
        }
        onLine(number, line);
    }

    /// <summary>Hands on the held line (at the end of the document, or before a line that is not its rest).</summary>
    public void Flush()
    {
        if (_heldLength > 0)
        {
            var length = _heldLength;
            _heldLength = 0;
            onLine(_heldNumber, _held.AsSpan(0, length));
        }
    }

    private bool IsContinuation(ReadOnlySpan<char> line) =>
        _lastPartLength >= MinWrappedLength
        && !line.IsWhiteSpace()
        && _heldLength + 1 < _held.Length
        && !LogText.HasLogPrefix(line)
        && !LogText.StartsWithLabel(line);
}
