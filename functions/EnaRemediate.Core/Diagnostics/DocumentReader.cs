using System.Text;
using System.Text.Json;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Reads one input once: a JSON document (host report, install result) is parsed whole, anything
/// else is detected from its first lines and streamed line by line (from bytes when the input has
/// them). A JSON document that does not parse (cut, hand-edited) is still read as text, so its log
/// lines are judged. Whatever the content, no exception leaves except the input's own I/O errors.
/// </summary>
internal static class DocumentReader
{
    /// <summary>Host reports stay under SSM's 24,000 characters; anything this big is not one.</summary>
    private const int MaxJsonChars = 16 << 20;
    private const int HeadChars = 1 << 16;

    public static InputInfo Read(DiagnosticInput input, FindingCollector findings, Action<CounterSample> onCounter)
    {
        try
        {
            return input.OpenBytes() is { } bytes
                ? ReadBytes(input.Name, bytes.Stream, bytes.Owned, findings, onCounter)
                : ReadChars(input.Name, input.Open(), findings, onCounter);
        }
        catch (Exception e) when (e is not (IOException or UnauthorizedAccessException or OutOfMemoryException))
        {
            // Parsers of host output are total (issue 11): content the readers cannot take apart is
            // reported as unrecognised, never as an exception out of the engine or a healthy host.
            findings.Add(FindingCodes.UnrecognisedInput, new Evidence(input.Name, 0, "could not be read as text or JSON (its encoding or structure could not be decoded)"),
                FindingEffect.Unrecognised, Severity.Warning);
            return new InputInfo(input.Name, InputKind.Unknown);
        }
    }

    /// <summary>Bytes: UTF-8 text is split into lines without decoding the whole; other encodings (a UTF-16/32 BOM) go through a decoder.</summary>
    private static InputInfo ReadBytes(string name, Stream stream, bool owned, FindingCollector findings, Action<CounterSample> onCounter)
    {
        using var dispose = owned ? stream : null;
        var head = new byte[HeadChars];
        var filled = 0;
        int read;
        while (filled < head.Length && (read = stream.Read(head, filled, head.Length - filled)) > 0)
        {
            filled += read;
        }
        var start = head.AsSpan(0, filled);
        if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || start.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF]))
        {
            return ReadChars(name, DiagnosticInput.Reader(new PrefixedStream(head, filled, stream), leaveOpen: true), findings, onCounter);
        }
        var text = start.StartsWith("\uFEFF"u8) ? start[3..] : start;
        var firstChar = text.TrimStart(" \t\r\n"u8);
        if (firstChar.IsEmpty)
        {
            return new InputInfo(name, InputKind.Empty);
        }
        if (firstChar[0] == (byte)'{')
        {
            // A JSON document is parsed whole: decode it, capped, and take the text path if it is not one.
            var all = new MemoryStream();
            all.Write(text);
            var buffer = new byte[HeadChars];
            while (all.Length < MaxJsonChars && (read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                all.Write(buffer, 0, read);
            }
            var complete = all.Length < MaxJsonChars;
            var json = DiagnosticInput.Utf8Lenient.GetString(all.GetBuffer(), 0, (int)all.Length);
            return ReadJson(name, json, complete ? TextReader.Null : DiagnosticInput.Reader(stream, leaveOpen: true), findings, onCounter);
        }
        return new InputInfo(name, ReadText(name, new Utf8LineReader(stream, start), findings, onCounter));
    }

    private static InputInfo ReadChars(string name, TextReader opened, FindingCollector findings, Action<CounterSample> onCounter)
    {
        using var reader = opened;
        var head = ReadHead(reader);
        var firstChar = head.AsSpan().TrimStart();
        if (firstChar.IsEmpty)
        {
            return new InputInfo(name, InputKind.Empty);
        }
        if (firstChar[0] == '{')
        {
            var json = new StringBuilder(head);
            var complete = ReadRest(reader, json);
            return ReadJson(name, json.ToString(), complete ? TextReader.Null : reader, findings, onCounter);
        }
        return new InputInfo(name, ReadText(name, new BoundedLineReader(new PrefixedReader(head, reader)), findings, onCounter));
    }

    /// <param name="rest">What follows <paramref name="text"/> when it was cut at the cap (TextReader.Null when whole).</param>
    private static InputInfo ReadJson(string name, string text, TextReader rest, FindingCollector findings, Action<CounterSample> onCounter)
    {
        if (rest == TextReader.Null && TryJudgeJson(text, name, findings, onCounter) is { } kind)
        {
            return new InputInfo(name, kind);
        }
        var fallback = ReadText(name, new BoundedLineReader(new PrefixedReader(text, rest)), findings, onCounter);
        return new InputInfo(name, text.Contains(HostReport.SchemaId, StringComparison.Ordinal) ? InputKind.HostReport : fallback);
    }

    private static InputKind ReadText(string name, ILineSource lines, FindingCollector findings, Action<CounterSample> onCounter)
    {
        var first = new List<string>(InputKindDetector.LinesToInspect);
        while (first.Count < InputKindDetector.LinesToInspect && lines.TryReadLine(out var line))
        {
            first.Add(line.ToString());
        }
        var analyzer = new TextDocumentAnalyzer(name, InputKindDetector.Detect(first), findings, onCounter,
            (json, number) => TryJudgeInstallResultLine(json, name, number, findings), joinWrappedLines: true);
        var lineNumber = 0;
        foreach (var line in first)
        {
            analyzer.Line(++lineNumber, line);
        }
        first.Clear();
        while (lines.TryReadLine(out var line))
        {
            analyzer.Line(++lineNumber, line);
        }
        analyzer.Finish();
        return analyzer.Kind;
    }

    private static InputKind? TryJudgeJson(string text, string name, FindingCollector findings, Action<CounterSample> onCounter)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            if (root.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.String
                && schema.GetString()!.StartsWith("enaremediate.host-report/", StringComparison.Ordinal))
            {
                var report = root.Deserialize<HostReport>(HostReportJson.Options);
                if (report is null)
                {
                    return null;
                }
                HostReportJudge.Judge(report, name, findings, onCounter);
                return InputKind.HostReport;
            }
            if (LooksLikeInstallResult(root) && root.Deserialize<InstallResult>(HostReportJson.Options) is { } result)
            {
                InstallResultJudge.Judge(result, name, findings);
                return InputKind.InstallResult;
            }
            return null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>install-ena.sh prints its result as the last line of its output, after the build chatter.</summary>
    private static bool TryJudgeInstallResultLine(string line, string name, int number, FindingCollector findings)
    {
        if (!line.Contains("\"kernels\"", StringComparison.Ordinal) || !line.Contains("\"status\"", StringComparison.Ordinal))
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(line);
            if (!LooksLikeInstallResult(document.RootElement) || document.RootElement.Deserialize<InstallResult>(HostReportJson.Options) is not { } result)
            {
                return false;
            }
            InstallResultJudge.Judge(result, $"{name}#line{number}", findings);
            return true;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    private static bool LooksLikeInstallResult(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
        && root.TryGetProperty("kernels", out var kernels) && kernels.ValueKind == JsonValueKind.Array;

    private static string ReadHead(TextReader reader)
    {
        var buffer = new char[HeadChars];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = reader.Read(buffer, filled, buffer.Length - filled)) > 0)
        {
            filled += read;
        }
        return new string(buffer, 0, filled);
    }

    /// <returns>true when the whole document fit under the cap.</returns>
    private static bool ReadRest(TextReader reader, StringBuilder into)
    {
        var buffer = new char[HeadChars];
        int read;
        while (into.Length < MaxJsonChars && (read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            into.Append(buffer, 0, read);
        }
        return into.Length < MaxJsonChars || reader.Peek() < 0;
    }
}

/// <summary>Gives back what was already read from a reader, then the rest of that reader.</summary>
internal sealed class PrefixedReader(string prefix, TextReader rest) : TextReader
{
    private int _position;

    public override int Read(char[] buffer, int index, int count)
    {
        if (_position < prefix.Length)
        {
            var take = Math.Min(count, prefix.Length - _position);
            prefix.CopyTo(_position, buffer, index, take);
            _position += take;
            return take;
        }
        return rest.Read(buffer, index, count);
    }

    public override int Peek() => _position < prefix.Length ? prefix[_position] : rest.Peek();

    public override int Read() => _position < prefix.Length ? prefix[_position++] : rest.Read();
}

/// <summary>Gives back the bytes already read from a stream, then the rest of that stream (read-only, forward only).</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream rest) : Stream
{
    private int _position;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position < prefixLength)
        {
            var take = Math.Min(count, prefixLength - _position);
            Array.Copy(prefix, _position, buffer, offset, take);
            _position += take;
            return take;
        }
        return rest.Read(buffer, offset, count);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
