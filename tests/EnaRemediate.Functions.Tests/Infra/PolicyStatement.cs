using System.Text.Json.Nodes;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>One statement of a resolved policy document, with Action and Resource always as lists.</summary>
public sealed record PolicyStatement(string? Sid, string Effect, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, JsonObject? Condition)
{
    public bool Allows => Effect == "Allow";

    public static IReadOnlyList<PolicyStatement> Of(IEnumerable<JsonNode> documents) => documents
        .SelectMany(d => d["Statement"]!.AsArray())
        .Select(s => new PolicyStatement(s!["Sid"]?.GetValue<string>(), s["Effect"]!.GetValue<string>(), List(s["Action"]), List(s["Resource"]), s["Condition"]?.AsObject()))
        .ToList();

    /// <summary>Every condition key and its values, whatever the operator.</summary>
    public IEnumerable<(string Operator, string Key, IReadOnlyList<string> Values)> Conditions() =>
        Condition?.SelectMany(op => op.Value!.AsObject().Select(c => (op.Key, c.Key, List(c.Value)))) ?? [];

    private static IReadOnlyList<string> List(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(n => n!.GetValue<string>()).ToList(),
        null => [],
        _ => [node.GetValue<string>()],
    };
}
