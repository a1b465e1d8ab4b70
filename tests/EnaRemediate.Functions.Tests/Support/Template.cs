using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EnaRemediate.Functions.Tests.Support;

/// <summary>template.yaml as yaml-cfn reads it, with helpers to walk resources and resolve simple !Sub strings.</summary>
public sealed class Template(JsonNode root)
{
    public static readonly string Path = System.IO.Path.Combine(RepoPaths.Root, "template.yaml");
    private static readonly Lazy<Task<Template>> Loaded = new(async () => new Template(await NodeTool.CfnJsonAsync(Path)));

    public static Task<Template> LoadAsync() => Loaded.Value;

    public JsonNode Root { get; } = root;

    public JsonObject Resource(string logicalId) => Root["Resources"]![logicalId]!.AsObject();

    public IEnumerable<(string Id, JsonObject Resource)> ResourcesOfType(string type) =>
        Root["Resources"]!.AsObject().Where(r => r.Value!["Type"]!.GetValue<string>() == type).Select(r => (r.Key, r.Value!.AsObject()));

    public string ParameterDefault(string name) => Root["Parameters"]![name]!["Default"]!.ToString();

    /// <summary>Resolves a Fn::Sub string with parameter defaults and example pseudo parameters.</summary>
    public string Sub(string text) => Regex.Replace(text, @"\$\{([^}]+)\}", m => m.Groups[1].Value switch
    {
        "AWS::Partition" => "aws",
        "AWS::Region" => "us-east-1",
        "AWS::AccountId" => "123456789012",
        var name when Root["Parameters"]?[name] is not null => ParameterDefault(name),
        var other => throw new InvalidOperationException($"Cannot resolve ${{{other}}} in a test."),
    });
}
