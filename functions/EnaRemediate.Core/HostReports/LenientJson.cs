using System.Text.Json;
using System.Text.Json.Serialization;

namespace EnaRemediate.Core.HostReports;

/// <summary>
/// Total readers for host report fields that come from files a host's owner writes (grub.cfg,
/// fstab): a value of the wrong shape reads as null (a list keeps its well-formed elements), so
/// one odd field never costs the whole report. Writing is plain.
/// </summary>
public sealed class LenientStringConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }
        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}

/// <summary>A list whose malformed or null elements are dropped; anything but an array reads as null.</summary>
public sealed class LenientListConverter<T> : JsonConverter<IReadOnlyList<T>?> where T : class
{
    public override bool HandleNull => true;

    public override IReadOnlyList<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }
        var items = new List<T>();
        foreach (var element in JsonElement.ParseValue(ref reader).EnumerateArray())
        {
            try
            {
                if (element.ValueKind == JsonValueKind.Object && element.Deserialize<T>(options) is { } item)
                {
                    items.Add(item);
                }
            }
            catch (JsonException)
            {
                // A wrong-typed member: this element is dropped, the others stay.
            }
        }
        return items;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<T>? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteStartArray();
        foreach (var item in value)
        {
            JsonSerializer.Serialize(writer, item, options);
        }
        writer.WriteEndArray();
    }
}
