using System.Text.Unicode;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Reads lines straight from UTF-8 bytes: finds line ends in a large byte buffer (vectorised), and
/// decodes only the line at hand into a reused char buffer, replacing invalid bytes with U+FFFD.
/// No string is made per line. Lines longer than <see cref="BoundedLineReader.MaxLineLength"/> are
/// cut there and the rest skipped. Accepts \n, \r\n and lone \r; skips a UTF-8 byte order mark.
/// </summary>
internal sealed class Utf8LineReader : ILineSource
{
    private const int BufferSize = 1 << 20;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly char[] _line = new char[BoundedLineReader.MaxLineLength];
    private int _position;
    private int _length;
    private bool _pendingCarriageReturn;
    private bool _skippingRest;
    private bool _eof;

    /// <param name="prefix">Bytes already read from the stream (the caller's look at the start).</param>
    public Utf8LineReader(Stream stream, ReadOnlySpan<byte> prefix)
    {
        _stream = stream;
        if (prefix.StartsWith("\uFEFF"u8))
        {
            prefix = prefix[3..];
        }
        prefix.CopyTo(_buffer);
        _length = prefix.Length;
    }

    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            if (_pendingCarriageReturn && _position < _length)
            {
                _pendingCarriageReturn = false;
                if (_buffer[_position] == (byte)'\n')
                {
                    _position++;
                }
            }
            var span = _buffer.AsSpan(_position, _length - _position);
            var end = span.IndexOfAny((byte)'\n', (byte)'\r');
            if (end >= 0 || (_eof && span.Length > 0))
            {
                var take = end < 0 ? span.Length : end;
                _pendingCarriageReturn = end >= 0 && span[end] == (byte)'\r';
                _position += end < 0 ? take : end + 1;
                if (_skippingRest)
                {
                    // The tail of a line already cut and returned.
                    _skippingRest = false;
                    continue;
                }
                line = Decode(span[..take]);
                return true;
            }
            if (_eof)
            {
                line = default;
                return false;
            }
            if (span.Length >= BoundedLineReader.MaxLineLength && !_skippingRest)
            {
                // A line longer than the cap: return its start, skip the rest up to the next line end.
                line = Decode(span[..BoundedLineReader.MaxLineLength]);
                _position = _length;
                _skippingRest = true;
                return true;
            }
            Fill();
        }
    }

    private void Fill()
    {
        var kept = _length - _position;
        if (_skippingRest)
        {
            kept = 0; // the rest of an over-long line is not needed
        }
        else
        {
            _buffer.AsSpan(_position, kept).CopyTo(_buffer);
        }
        _position = 0;
        _length = kept;
        var read = _stream.Read(_buffer, _length, _buffer.Length - _length);
        if (read <= 0)
        {
            _eof = true;
        }
        _length += Math.Max(read, 0);
    }

    private ReadOnlySpan<char> Decode(ReadOnlySpan<byte> bytes)
    {
        Utf8.ToUtf16(bytes, _line, out _, out var written, replaceInvalidSequences: true, isFinalBlock: true);
        return _line.AsSpan(0, written);
    }
}
