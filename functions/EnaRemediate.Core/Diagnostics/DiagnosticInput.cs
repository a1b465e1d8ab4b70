using System.Text;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// A named document to diagnose. The content is opened lazily and read once, line by line, so a
/// 1 GiB log is streamed rather than loaded. Invalid UTF-8 is replaced, never rejected.
/// </summary>
public sealed class DiagnosticInput
{
    private readonly Func<TextReader> _open;
    private readonly Func<(Stream Stream, bool Owned)>? _openBytes;

    public DiagnosticInput(string name, Func<TextReader> open)
    {
        Name = name;
        _open = open;
    }

    /// <param name="openBytes">The same content as bytes (UTF-8, or with a BOM): the engine reads these without decoding every line.</param>
    private DiagnosticInput(string name, Func<TextReader> open, Func<(Stream Stream, bool Owned)> openBytes)
        : this(name, open)
    {
        _openBytes = openBytes;
    }

    public string Name { get; }

    public TextReader Open() => _open();

    /// <summary>The content as a byte stream, when it has one (files, streams); Owned says whether the reader must dispose it.</summary>
    internal (Stream Stream, bool Owned)? OpenBytes() => _openBytes?.Invoke();

    public static DiagnosticInput FromText(string name, string text) => new(name, () => new StringReader(text));

    public static DiagnosticInput FromFile(string path, string? name = null) =>
        new(name ?? path, () => Reader(OpenFile(path), leaveOpen: false), () => (OpenFile(path), true));

    /// <summary>A stream read once (stdin, an HTTP body). The caller keeps ownership of the stream.</summary>
    public static DiagnosticInput FromStream(string name, Stream stream) =>
        new(name, () => Reader(stream, leaveOpen: true), () => (stream, false));

    /// <summary>Text in another encoding than UTF-8 (a byte order mark says which), read through a decoder.</summary>
    internal static TextReader Reader(Stream stream, bool leaveOpen) =>
        new StreamReader(stream, Utf8Lenient, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: leaveOpen);

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);

    /// <summary>UTF-8 that replaces bad bytes instead of throwing: logs contain whatever the console saw.</summary>
    internal static readonly Encoding Utf8Lenient = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
}
