using System.Text.Json.Nodes;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>DescribeInstanceInformation: the managed nodes SSM knows, with PingStatus derived from reachability.</summary>
internal static class InstanceInformationOperation
{
    private static readonly string[] FilterKeys = ["InstanceIds", "PingStatus", "PlatformTypes", "ResourceType", "AgentVersion"];

    public static JsonObject Describe(SsmContext ctx)
    {
        var maxResults = ctx.Request.Int("MaxResults");
        if (maxResults is { } m && (m < 5 || m > 50))
        {
            throw new ApiException("ValidationException", $"1 validation error detected: Value '{m}' at 'maxResults' failed to satisfy constraint: Member must have value between 5 and 50");
        }
        var filters = ctx.Request.Objects("Filters").Select(f => (Key: f["Key"]?.GetValue<string>() ?? "", Values: Values(f["Values"])))
            .Concat(ctx.Request.Objects("InstanceInformationFilterList").Select(f => (Key: f["key"]?.GetValue<string>() ?? "", Values: Values(f["valueSet"]))))
            .ToList();
        foreach (var (key, _) in filters)
        {
            if (!FilterKeys.Contains(key) && !key.StartsWith("tag:", StringComparison.Ordinal))
            {
                throw new ApiException("InvalidInstanceInformationFilterValue", $"The filter key '{key}' is not valid.");
            }
        }
        // Asked about given instances (as the engine asks), look only at those; a listing reads the fleet.
        var ids = filters.Where(f => f.Key == "InstanceIds").Select(f => f.Values).FirstOrDefault();
        foreach (var id in ids ?? [])
        {
            ctx.World.Counters.Count("DescribeInstanceInformation", id);
        }
        var candidates = ids is not null
            ? ids.Distinct(StringComparer.Ordinal).Select(ctx.World.FindInstance).OfType<SimulatedInstance>()
            : ctx.World.AllInstances;
        var rows = candidates
            .Select(i => (I: i, Ping: i.PingStatusAt(ctx.Now)))
            .Where(x => x.Ping is not null && x.I.StateAt(ctx.Now) != InstanceStates.Terminated)
            .Where(x => filters.All(f => Matches(f.Key, f.Values, x.I, x.Ping!)))
            .ToList();
        var (page, next) = SsmPaging.Page(rows, ctx.Request.String("NextToken"), maxResults ?? 50);
        foreach (var (instance, _) in page)
        {
            ctx.World.Counters.Count(RequestCounters.PingListed, instance.InstanceId);
        }
        var result = new JsonObject
        {
            ["InstanceInformationList"] = new JsonArray(page.Select(x => (JsonNode)Item(x.I, x.Ping!, ctx.Now)).ToArray()),
        };
        if (next is not null)
        {
            result["NextToken"] = next;
        }
        return result;
    }

    private static JsonObject Item(SimulatedInstance i, string ping, DateTimeOffset now)
    {
        var guest = i.Guest;
        return new JsonObject
        {
            ["InstanceId"] = i.InstanceId,
            ["PingStatus"] = ping,
            ["LastPingDateTime"] = SsmJson.Epoch(ping == "Online" ? now : i.LaunchTime),
            ["AgentVersion"] = "3.3.1142.0",
            ["IsLatestVersion"] = false,
            ["PlatformType"] = "Linux",
            ["PlatformName"] = guest?.PrettyName ?? "Linux",
            ["PlatformVersion"] = guest?.DistroVersion ?? "",
            ["ResourceType"] = "EC2Instance",
            ["IPAddress"] = i.PrivateIpAddress,
            ["ComputerName"] = $"ip-{i.PrivateIpAddress.Replace('.', '-')}.ec2.internal",
        };
    }

    private static bool Matches(string key, IReadOnlyList<string> values, SimulatedInstance i, string ping) => key switch
    {
        "InstanceIds" => values.Contains(i.InstanceId),
        "PingStatus" => values.Contains(ping),
        "PlatformTypes" => values.Contains("Linux"),
        "ResourceType" => values.Contains("EC2Instance"),
        "AgentVersion" => values.Contains("3.3.1142.0"),
        _ => i.Tags.TryGetValue(key[4..], out var v) && values.Contains(v),
    };

    private static List<string> Values(JsonNode? node) =>
        node is JsonArray a ? a.Select(v => v?.GetValue<string>() ?? "").ToList() : [];
}
