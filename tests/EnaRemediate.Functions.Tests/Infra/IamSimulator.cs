using System.Text.Json;
using System.Text.Json.Nodes;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>One request as IAM sees it: an action on one resource ARN with its condition context.</summary>
public sealed record IamRequest(string Action, string Resource, IReadOnlyDictionary<string, object>? Context = null);

/// <summary>A call the code (or an attacker) makes: every request of it must be allowed for the call to succeed.</summary>
public sealed record IamCall(string Name, IReadOnlyList<IamRequest> Requests);

/// <summary>Runs tools/node/iam-simulate.js (npm @cloud-copilot/iam-simulate) over a batch of requests.</summary>
public static class IamSimulator
{
    public sealed record Case(string Name, string Principal, IReadOnlyList<JsonNode> Policies, IamRequest Request, JsonNode? ResourcePolicy = null);

    /// <summary>The decision for each case, by name: Allowed, ExplicitlyDenied, ImplicitlyDenied, or "Error: …".</summary>
    public static async Task<IReadOnlyDictionary<string, string>> EvaluateAsync(IReadOnlyList<Case> cases)
    {
        var input = new JsonObject
        {
            ["cases"] = new JsonArray(cases.Select(c => (JsonNode?)new JsonObject
            {
                ["name"] = c.Name,
                ["principal"] = c.Principal,
                ["accountId"] = ResolvedTemplate.Account,
                ["identityPolicies"] = new JsonArray(c.Policies.Select(p => (JsonNode?)p.DeepClone()).ToArray()),
                ["resourcePolicy"] = c.ResourcePolicy?.DeepClone(),
                ["action"] = c.Request.Action,
                ["resource"] = c.Request.Resource,
                ["context"] = JsonSerializer.SerializeToNode(c.Request.Context ?? new Dictionary<string, object>()),
            }).ToArray()),
        };
        var file = Path.Combine(Path.GetTempPath(), $"enaremediate-iam-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, input.ToJsonString());
        try
        {
            var tools = RepoPaths.NodeTools;
            var (exit, stdout, stderr) = await ChildProcess.RunAsync("node", [Path.Combine(tools, "iam-simulate.js"), file], tools, TimeSpan.FromMinutes(5));
            if (exit != 0) throw new InvalidOperationException($"iam-simulate.js failed ({exit}): {stderr}");
            return JsonNode.Parse(stdout)!["results"]!.AsArray().ToDictionary(
                r => r!["name"]!.GetValue<string>(),
                r => r!["result"]!.GetValue<string>() is "Error" ? "Error: " + string.Join("; ", r["errors"]!.AsArray().Select(e => e!.GetValue<string>())) : r["result"]!.GetValue<string>());
        }
        finally { File.Delete(file); }
    }
}
