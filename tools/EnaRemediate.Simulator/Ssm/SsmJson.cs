using System.Globalization;
using System.Text.Json.Nodes;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>Reading an SSM JSON 1.1 request body safely, and SSM's timestamp and output conventions.</summary>
internal sealed class SsmRequest(JsonObject body)
{
    public string? String(string name) => body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string Required(string name) =>
        String(name) is { Length: > 0 } s ? s : throw new ApiException("ValidationException", $"1 validation error detected: Value null at '{Camel(name)}' failed to satisfy constraint: Member must not be null");

    public int? Int(string name) => body[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i
        : body[name] is null ? null
        : throw new ApiException("ValidationException", $"Value at '{Camel(name)}' must be an integer");

    public bool Bool(string name) => body[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public IReadOnlyList<string> Strings(string name) => body[name] is JsonArray a
        ? a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new ApiException("ValidationException", $"'{Camel(name)}' must be a list of strings")).ToList()
        : [];

    public IReadOnlyList<JsonObject> Objects(string name) => body[name] is JsonArray a ? a.OfType<JsonObject>().ToList() : [];

    /// <summary>Parameters: {"Name": ["value", …]} as SSM takes them.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters(string name)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (body[name] is JsonObject o)
        {
            foreach (var (key, value) in o)
            {
                result[key] = value is JsonArray a
                    ? a.Select(n => n?.GetValue<string>() ?? "").ToList()
                    : throw new ApiException("InvalidParameters", $"Parameter \"{key}\" must be a list of strings.");
            }
        }
        return result;
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

internal static class SsmJson
{
    /// <summary>SSM's JSON timestamps: seconds since the epoch, with fractions.</summary>
    public static JsonNode Epoch(DateTimeOffset time) => JsonValue.Create(Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3));

    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The agent's cut: keep the head and end with "\n---Output truncated---" inside the limit.</summary>
    public static string Truncate(StoredText text, int limit, string marker) =>
        text.Length <= limit ? text.ToString() : text.Head(limit - marker.Length) + marker;

    public const int StdoutLimit = 24_000;
    public const int StderrLimit = 8_000;
    public const string StdoutMarker = "\n---Output truncated---";
    public const string StderrMarker = "\n---Error truncated----";
}
