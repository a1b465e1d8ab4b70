using System.Text;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// A named document to diagnose. The content is opened lazily and read once, line by line, so a
/// 1 GiB log is streamed rather than loaded. Invalid UTF-8 is replaced, never rejected.
/// </summary>
public sealed class DiagnosticInput
{
    private readonly Func<TextReader> _open;

    public DiagnosticInput(string name, Func<TextReader> open)
    {
        Name = name;
        _open = open;
    }

    public string Name { get; }

    public TextReader Open() => _open();

    public static DiagnosticInput FromText(string name, string text) => new(name, () => new StringReader(text));

    public static DiagnosticInput FromFile(string path, string? name = null) =>
        new(name ?? path, () => new StreamReader(
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan),
            Utf8Lenient, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16));

    /// <summary>A stream read once (stdin, an HTTP body). The caller keeps ownership of the stream.</summary>
    public static DiagnosticInput FromStream(string name, Stream stream) =>
        new(name, () => new StreamReader(stream, Utf8Lenient, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true));

    /// <summary>UTF-8 that replaces bad bytes instead of throwing: logs contain whatever the console saw.</summary>
    private static readonly Encoding Utf8Lenient = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
}
