using System.Globalization;
using System.Text.Json.Nodes;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>
/// ListCommands: the commands sent, newest first, with their aggregate status, narrowed by
/// CommandId, InstanceId and the filters DocumentName, Status, InvokedAfter and InvokedBefore.
/// An unknown command id gives an empty list, as ListCommandInvocations does.
/// </summary>
internal static class ListCommandsOperation
{
    public static JsonObject List(SsmContext ctx)
    {
        var maxResults = ctx.Request.Int("MaxResults") ?? 50;
        if (maxResults is < 1 or > 50)
        {
            throw new ApiException("ValidationException", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 50");
        }
        var commandId = ctx.Request.String("CommandId");
        var instanceId = ctx.Request.String("InstanceId");
        var filters = ctx.Request.Objects("Filters").Select(Filter).ToList();
        IEnumerable<CommandRecord> candidates = commandId is not null
            ? ctx.World.Commands.Find(commandId) is { } found ? [found] : []
            : instanceId is not null ? ctx.World.Commands.InvocationsOn(instanceId).Select(i => i.Command)
            : ctx.World.Commands.Commands;
        var rows = candidates
            .Where(c => instanceId is null || c.Invocations.Any(i => i.InstanceId == instanceId))
            .Select(c => SsmCommandOperations.CommandJson(c, ctx.Now))
            .Where(json => filters.All(f => f(json)))
            .Reverse()
            .ToList();
        var (page, next) = SsmPaging.Page(rows, ctx.Request.String("NextToken"), maxResults);
        var result = new JsonObject { ["Commands"] = new JsonArray(page.Select(c => (JsonNode)c).ToArray()) };
        if (next is not null)
        {
            result["NextToken"] = next;
        }
        return result;
    }

    private static Func<JsonObject, bool> Filter(JsonObject filter)
    {
        var key = filter["key"]?.GetValue<string>() ?? "";
        var value = filter["value"]?.GetValue<string>()
            ?? throw new ApiException("InvalidFilterValue", $"The filter {key} needs a value.");
        return key switch
        {
            "DocumentName" => c => c["DocumentName"]!.GetValue<string>() == value,
            "Status" => c => c["Status"]!.GetValue<string>() == value,
            "InvokedAfter" => c => Requested(c) >= Time(key, value),
            "InvokedBefore" => c => Requested(c) <= Time(key, value),
            _ => throw new ApiException("InvalidFilterKey", $"The filter key {key} is not valid."),
        };
    }

    private static DateTimeOffset Requested(JsonObject c) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)(c["RequestedDateTime"]!.GetValue<double>() * 1000));

    private static DateTimeOffset Time(string key, string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time
        : throw new ApiException("InvalidFilterValue", $"The value {value} of filter {key} is not a timestamp.");
}
