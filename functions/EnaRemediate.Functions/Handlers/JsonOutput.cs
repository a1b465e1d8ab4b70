using System.Text.Json;
using System.Text.Json.Serialization;

namespace EnaRemediate.Functions.Handlers;

/// <summary>How every handler writes its answer: camelCase, enums as strings, nulls left out.</summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);
}
