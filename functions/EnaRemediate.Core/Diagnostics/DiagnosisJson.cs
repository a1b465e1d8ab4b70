using System.Text.Encodings.Web;
using System.Text.Json;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Writes a diagnosis as the JSON shape, and nothing more:
/// {"verdict","findings":[{"code","severity","evidence":[{"input","line","text"}],"advice"}],"inputs":[{"name","kind"}]}.
/// </summary>
public static class DiagnosisJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Evidence is log text: keep quotes and apostrophes readable; control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(Diagnosis diagnosis, Stream output)
    {
        using var json = new Utf8JsonWriter(output, Options);
        json.WriteStartObject();
        json.WriteString("verdict", diagnosis.Verdict.ToWireName());
        json.WriteStartArray("findings");
        foreach (var finding in diagnosis.Findings)
        {
            json.WriteStartObject();
            json.WriteString("code", finding.Code);
            json.WriteString("severity", finding.Severity.ToWireName());
            json.WriteStartArray("evidence");
            foreach (var evidence in finding.Evidence)
            {
                json.WriteStartObject();
                json.WriteString("input", Clean(evidence.Input));
                json.WriteNumber("line", evidence.Line);
                json.WriteString("text", Clean(evidence.Text));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("advice", finding.Advice);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("inputs");
        foreach (var input in diagnosis.Inputs)
        {
            json.WriteStartObject();
            json.WriteString("name", Clean(input.Name));
            json.WriteString("kind", input.Kind.ToWireName());
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// Lone surrogates (a line cut between the two halves of a pair, a hostile file name) cannot be
    /// written as UTF-8; they become U+FFFD instead of an exception.
    /// </summary>
    private static string Clean(string text)
    {
        char[]? copy = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                copy ??= text.ToCharArray();
                copy[i] = '\uFFFD';
            }
        }
        return copy is null ? text : new string(copy);
    }

    public static string ToJson(Diagnosis diagnosis)
    {
        using var buffer = new MemoryStream();
        Write(diagnosis, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
