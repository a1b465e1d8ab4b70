using System.Text.Json;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Aws.Dynamo;

/// <summary>The record as stored in the body attribute: plain System.Text.Json, camelCase, so new fields just appear.</summary>
internal static class RecordJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(RemediationRecord record) => JsonSerializer.Serialize(record, Options);

    public static RemediationRecord Deserialize(string json) =>
        JsonSerializer.Deserialize<RemediationRecord>(json, Options)
        ?? throw new InvalidDataException("A stored remediation record body is the JSON null.");
}
