using System.Text;
using System.Text.Json;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Reads one input once: a JSON document (host report, install result) is parsed whole, anything
/// else is detected from its first lines and streamed line by line. A JSON document that does not
/// parse (cut, hand-edited) is still read as text, so its log lines are judged.
/// </summary>
internal static class DocumentReader
{
    /// <summary>Host reports stay under SSM's 24,000 characters; anything this big is not one.</summary>
    private const int MaxJsonChars = 16 << 20;
    private const int HeadChars = 1 << 16;

    public static InputInfo Read(DiagnosticInput input, FindingCollector findings, Action<CounterSample> onCounter)
    {
        using var reader = input.Open();
        var head = ReadHead(reader);
        var firstChar = head.AsSpan().TrimStart();
        if (firstChar.IsEmpty)
        {
            return new InputInfo(input.Name, InputKind.Empty);
        }
        if (firstChar[0] == '{')
        {
            var json = new StringBuilder(head);
            var complete = ReadRest(reader, json);
            var text = json.ToString();
            if (complete && TryJudgeJson(text, input.Name, findings, onCounter) is { } kind)
            {
                return new InputInfo(input.Name, kind);
            }
            var fallback = ReadText(input.Name, new PrefixedReader(text, complete ? TextReader.Null : reader), findings, onCounter);
            return new InputInfo(input.Name, text.Contains(HostReport.SchemaId, StringComparison.Ordinal) ? InputKind.HostReport : fallback);
        }
        return new InputInfo(input.Name, ReadText(input.Name, new PrefixedReader(head, reader), findings, onCounter));
    }

    private static InputKind ReadText(string name, TextReader reader, FindingCollector findings, Action<CounterSample> onCounter)
    {
        var lines = new BoundedLineReader(reader);
        var first = new List<string>(InputKindDetector.LinesToInspect);
        while (first.Count < InputKindDetector.LinesToInspect && lines.ReadLine() is { } line)
        {
            first.Add(line);
        }
        var analyzer = new TextDocumentAnalyzer(name, InputKindDetector.Detect(first), findings, onCounter,
            (json, number) => TryJudgeInstallResultLine(json, name, number, findings));
        var lineNumber = 0;
        foreach (var line in first)
        {
            analyzer.Line(++lineNumber, line);
        }
        first.Clear();
        while (lines.ReadLine() is { } line)
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
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException or ArgumentException)
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
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException or ArgumentException)
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
