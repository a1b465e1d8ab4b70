using System.Text.Json.Nodes;

namespace EnaRemediate.Functions.Tests.Support;

/// <summary>Runs tools/node/validate.js (yaml-cfn, ajv-draft-04, asl-validator, the SSM Automation schema).</summary>
public static class NodeTool
{
    public sealed record Verdict(bool Valid, IReadOnlyList<string> Errors)
    {
        public override string ToString() => Valid ? "valid" : string.Join("\n", Errors);
    }

    public static async Task<Verdict> ValidateAsync(string command, string file, string? extra = null)
    {
        var (exit, stdout, stderr) = await RunAsync(command, file, extra);
        if (exit is not (0 or 1)) throw new InvalidOperationException($"validate.js {command} failed ({exit}): {stderr}");
        var result = JsonNode.Parse(stdout)!;
        return new Verdict(result["valid"]!.GetValue<bool>(), result["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList());
    }

    /// <summary>A CloudFormation YAML file as JSON, short-form tags turned into Fn:: objects by yaml-cfn.</summary>
    public static async Task<JsonNode> CfnJsonAsync(string file)
    {
        var (exit, stdout, stderr) = await RunAsync("cfn-json", file, null);
        if (exit != 0) throw new InvalidOperationException($"yaml-cfn could not parse {file}: {stderr}");
        return JsonNode.Parse(stdout)!;
    }

    private static Task<(int, string, string)> RunAsync(string command, string file, string? extra)
    {
        var tools = RepoPaths.NodeTools;
        var args = new List<string> { Path.Combine(tools, "validate.js"), command, file };
        if (extra is not null) args.Add(extra);
        return ChildProcess.RunAsync("node", args, tools, TimeSpan.FromMinutes(2));
    }
}
