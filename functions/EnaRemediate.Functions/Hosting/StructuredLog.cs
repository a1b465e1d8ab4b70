using System.Text.Json;

namespace EnaRemediate.Functions.Hosting;

/// <summary>
/// One JSON object per line on stdout, each carrying the request id, so CloudWatch Logs Insights
/// can filter one invocation (<c>filter requestId = "…"</c>) and fields stay machine-readable.
/// </summary>
public sealed class StructuredLog(TextWriter output, TimeProvider time, string? requestId = null)
{
    private static readonly object Gate = new();

    public StructuredLog ForRequest(string id) => new(output, time, id);

    public void Info(string message, object? fields = null) => Write("INFO", message, fields);
    public void Warn(string message, object? fields = null) => Write("WARN", message, fields);
    public void Error(string message, object? fields = null) => Write("ERROR", message, fields);

    private void Write(string level, string message, object? fields)
    {
        var line = new Dictionary<string, object?>
        {
            ["timestamp"] = time.GetUtcNow().ToString("O"),
            ["level"] = level,
            ["requestId"] = requestId,
            ["message"] = message,
        };
        if (fields is not null) line["fields"] = fields;
        var json = JsonSerializer.Serialize(line);
        lock (Gate) { output.WriteLine(json); output.Flush(); }
    }
}
