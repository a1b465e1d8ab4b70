namespace EnaRemediate.Core.Diagnostics;

/// <summary>Hands out a document's lines one at a time, as spans valid until the next call.</summary>
internal interface ILineSource
{
    bool TryReadLine(out ReadOnlySpan<char> line);
}

/// <summary>
/// Reads lines from text like TextReader.ReadLine, but into its own buffer (no string per line),
/// and a line longer than <see cref="MaxLineLength"/> is cut there and the rest of it skipped, so a
/// file without newlines cannot blow up memory. Accepts \n, \r\n and lone \r.
/// </summary>
internal sealed class BoundedLineReader(TextReader reader) : ILineSource
{
    /// <summary>Long enough for a one-line JSON install result; anything longer is cut.</summary>
    public const int MaxLineLength = 1 << 16;

    private readonly char[] _buffer = new char[1 << 16];
    private readonly char[] _line = new char[MaxLineLength];
    private int _position;
    private int _length;
    private bool _pendingCarriageReturn;

    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        var lineLength = 0;
        var sawAnything = false;
        while (true)
        {
            if (_position == _length)
            {
                _length = reader.Read(_buffer, 0, _buffer.Length);
                _position = 0;
                if (_length <= 0)
                {
                    _length = 0;
                    line = _line.AsSpan(0, lineLength);
                    return sawAnything;
                }
            }
            if (_pendingCarriageReturn)
            {
                _pendingCarriageReturn = false;
                if (_buffer[_position] == '\n')
                {
                    _position++;
                    continue;
                }
            }
            var span = _buffer.AsSpan(_position, _length - _position);
            var end = span.IndexOfAny('\n', '\r');
            var take = end < 0 ? span.Length : end;
            var room = MaxLineLength - lineLength;
            span[..Math.Min(take, room)].CopyTo(_line.AsSpan(lineLength));
            lineLength += Math.Min(take, room);
            sawAnything = true;
            if (end < 0)
            {
                _position = _length;
                continue;
            }
            _pendingCarriageReturn = span[end] == '\r';
            _position += end + 1;
            line = _line.AsSpan(0, lineLength);
            return true;
        }
    }
}
