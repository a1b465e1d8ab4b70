using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EnaRemediate.Driver.Tests.Support;

/// <summary>
/// A schemaVersion 2.2 Command document as SSM treats it when it runs: parameter values are checked
/// against allowedPattern (or defaulted), then pasted textually over {{ Name }} in runCommand.
/// </summary>
public sealed partial class SsmCommandDocument(string path)
{
    public JsonObject Json { get; } = JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    public JsonObject Parameters => Json["parameters"]?.AsObject() ?? [];

    public IReadOnlyList<string> RunCommand =>
        Json["mainSteps"]![0]!["inputs"]!["runCommand"]!.AsArray().Select(line => line!.GetValue<string>()).ToList();

    /// <summary>{{ Name }} references, the way SSM writes them (spaces inside the braces are optional).</summary>
    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")]
    public static partial Regex ParameterReference();

    public static bool Allows(JsonNode parameter, string value) =>
        Regex.IsMatch(value, parameter["allowedPattern"]!.GetValue<string>());

    /// <summary>The script SSM would run for these values; throws where SSM would refuse the command.</summary>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        foreach (var name in values.Keys.Where(name => !Parameters.ContainsKey(name)))
        {
            throw new ArgumentException($"unknown parameter {name}");
        }
        var resolved = new Dictionary<string, string>();
        foreach (var (name, parameter) in Parameters)
        {
            var value = values.TryGetValue(name, out var given) ? given
                : parameter!["default"]?.GetValue<string>() ?? throw new ArgumentException($"parameter {name} is required");
            if (!Allows(parameter!, value)) throw new ArgumentException($"parameter {name} does not match its allowedPattern");
            resolved[name] = value;
        }
        var script = string.Join('\n', RunCommand) + "\n";
        return ParameterReference().Replace(script, match => resolved[match.Groups[1].Value]);
    }

    /// <summary>Renders and runs the script with sh, as aws:runShellScript does.</summary>
    public ShellResult Run(IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"enaremediate-ssm-{Guid.NewGuid():N}.sh");
        File.WriteAllText(file, Render(values));
        try
        {
            return Shell.Run("sh", [file], environment);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
