using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>SendCommand, GetCommandInvocation, ListCommandInvocations and CancelCommand over the guest model.</summary>
internal sealed partial class SsmCommandOperations
{
    private readonly Dictionary<string, SimulatedDocument> _documents = new SimulatedDocument[]
    {
        new InstallDriverDocument(),
        new CollectHostReportDocument(),
        new OfflineRepairDocument(),
        new RunShellScriptDocument(),
    }.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public JsonObject SendCommand(SsmContext ctx)
    {
        var name = ctx.Request.Required("DocumentName");
        if (!_documents.TryGetValue(name, out var document))
        {
            throw new ApiException("InvalidDocument", $"Document with name {name} does not exist.");
        }
        if (ctx.Request.Objects("Targets").Count > 0)
        {
            throw new ApiException("InvalidTarget", "The simulator takes InstanceIds, not Targets.");
        }
        var ids = ctx.Request.Strings("InstanceIds");
        if (ids.Count is 0 or > 50)
        {
            throw new ApiException("ValidationException", "1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length between 1 and 50");
        }
        var unmanaged = ids.Where(id => !InstanceIdShape().IsMatch(id) || ctx.World.FindInstance(id)?.PingStatusAt(ctx.Now) is null).ToList();
        if (unmanaged.Count > 0)
        {
            throw new ApiException("InvalidInstanceId", $"Instances [[{string.Join(", ", unmanaged)}]] not in a valid state for account {SimulatedWorld.AccountId}");
        }
        var parameters = document.Resolve(ctx.Request.Parameters("Parameters"));
        var timeout = ctx.Request.Int("TimeoutSeconds") ?? 3600;
        if (timeout is < 30 or > 2_592_000)
        {
            throw new ApiException("ValidationException", "1 validation error detected: Value at 'timeoutSeconds' failed to satisfy constraint: Member must have value between 30 and 2592000");
        }
        var command = new CommandRecord
        {
            CommandId = ctx.World.NewGuid().ToString(),
            Document = document,
            Parameters = parameters,
            RequestedAt = ctx.Now,
            TimeoutSeconds = timeout,
            Comment = ctx.Request.String("Comment") ?? "",
        };
        foreach (var id in ids.Distinct())
        {
            var invocation = new InvocationRecord { Command = command, InstanceId = id };
            command.Invocations.Add(invocation);
            ctx.World.Commands.TryDeliver(invocation, ctx.Now);
        }
        ctx.World.Commands.Commands.Add(command);
        return new JsonObject { ["Command"] = CommandJson(command, ctx.Now) };
    }

    public JsonObject GetCommandInvocation(SsmContext ctx)
    {
        var invocation = Find(ctx, ctx.Request.Required("CommandId"), ctx.Request.Required("InstanceId"));
        var plugin = ctx.Request.String("PluginName");
        if (plugin is not null && plugin != invocation.Command.Document.PluginName)
        {
            throw new ApiException("InvalidPluginName", $"The plugin name {plugin} is not valid for this document.");
        }
        var (status, details) = invocation.StatusAt(ctx.Now);
        var finished = invocation.IsFinished;
        return new JsonObject
        {
            ["CommandId"] = invocation.Command.CommandId,
            ["InstanceId"] = invocation.InstanceId,
            ["Comment"] = invocation.Command.Comment,
            ["DocumentName"] = invocation.Command.Document.Name,
            ["DocumentVersion"] = "$DEFAULT",
            ["PluginName"] = invocation.Command.Document.PluginName,
            ["ResponseCode"] = invocation.ResponseCode,
            ["ExecutionStartDateTime"] = invocation.StartsAt is { } s && ctx.Now >= s ? SsmJson.Iso(s) : "",
            ["ExecutionElapsedTime"] = invocation.StartsAt is { } st && invocation.EndedAt is { } en ? $"PT{(en - st).TotalSeconds:0.###}S" : "",
            ["ExecutionEndDateTime"] = invocation.EndedAt is { } e ? SsmJson.Iso(e) : "",
            ["Status"] = status,
            ["StatusDetails"] = details,
            ["StandardOutputContent"] = finished ? SsmJson.Truncate(invocation.Stdout, SsmJson.StdoutLimit, SsmJson.StdoutMarker) : "",
            ["StandardOutputUrl"] = "",
            ["StandardErrorContent"] = finished ? SsmJson.Truncate(invocation.Stderr, SsmJson.StderrLimit, SsmJson.StderrMarker) : "",
            ["StandardErrorUrl"] = "",
            ["CloudWatchOutputConfig"] = new JsonObject { ["CloudWatchLogGroupName"] = "", ["CloudWatchOutputEnabled"] = false },
        };
    }

    public JsonObject ListCommandInvocations(SsmContext ctx)
    {
        var commandId = ctx.Request.String("CommandId");
        var instanceId = ctx.Request.String("InstanceId");
        var details = ctx.Request.Bool("Details");
        var maxResults = ctx.Request.Int("MaxResults") ?? 50;
        if (maxResults is < 1 or > 50)
        {
            throw new ApiException("ValidationException", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 50");
        }
        if (commandId is not null && ctx.World.Commands.Commands.All(c => c.CommandId != commandId))
        {
            throw new ApiException("InvalidCommandId", $"Command {commandId} does not exist.");
        }
        var rows = ctx.World.Commands.Invocations
            .Where(i => (commandId is null || i.Command.CommandId == commandId) && (instanceId is null || i.InstanceId == instanceId))
            .OrderByDescending(i => i.Command.RequestedAt)
            .ToList();
        var offset = ctx.Request.String("NextToken") is { } token
            ? token.StartsWith("ssm-offset-", StringComparison.Ordinal) && int.TryParse(token.AsSpan(11), out var o) && o >= 0 ? o
                : throw new ApiException("InvalidNextToken", "The specified token isn't valid.")
            : 0;
        var page = rows.Skip(offset).Take(maxResults).ToList();
        var result = new JsonObject
        {
            ["CommandInvocations"] = new JsonArray(page.Select(i => (JsonNode)InvocationJson(i, details, ctx.Now)).ToArray()),
        };
        if (offset + page.Count < rows.Count)
        {
            result["NextToken"] = $"ssm-offset-{offset + page.Count}";
        }
        return result;
    }

    public JsonObject CancelCommand(SsmContext ctx)
    {
        var commandId = ctx.Request.Required("CommandId");
        var command = ctx.World.Commands.Commands.FirstOrDefault(c => c.CommandId == commandId)
            ?? throw new ApiException("InvalidCommandId", $"Command {commandId} does not exist.");
        var ids = ctx.Request.Strings("InstanceIds");
        foreach (var invocation in command.Invocations.Where(i => ids.Count == 0 || ids.Contains(i.InstanceId)))
        {
            ctx.World.Commands.Cancel(invocation, ctx.Now);
        }
        return [];
    }

    private static InvocationRecord Find(SsmContext ctx, string commandId, string instanceId) =>
        ctx.World.Commands.Invocations.FirstOrDefault(i => i.Command.CommandId == commandId && i.InstanceId == instanceId)
        ?? throw new ApiException("InvocationDoesNotExist", "An invocation with the specified command ID and instance ID doesn't exist.");

    private static JsonObject InvocationJson(InvocationRecord i, bool details, DateTimeOffset now)
    {
        var (status, statusDetails) = i.StatusAt(now);
        var json = new JsonObject
        {
            ["CommandId"] = i.Command.CommandId,
            ["InstanceId"] = i.InstanceId,
            ["InstanceName"] = "",
            ["Comment"] = i.Command.Comment,
            ["DocumentName"] = i.Command.Document.Name,
            ["DocumentVersion"] = "$DEFAULT",
            ["RequestedDateTime"] = SsmJson.Epoch(i.Command.RequestedAt),
            ["Status"] = status,
            ["StatusDetails"] = statusDetails,
            ["TraceOutput"] = "",
            ["StandardOutputUrl"] = "",
            ["StandardErrorUrl"] = "",
            ["CommandPlugins"] = new JsonArray(),
        };
        if (details)
        {
            var plugin = new JsonObject
            {
                ["Name"] = i.Command.Document.PluginName,
                ["Status"] = status,
                ["StatusDetails"] = statusDetails,
                ["ResponseCode"] = i.ResponseCode,
                ["Output"] = i.IsFinished ? PluginOutput(i.Stdout, i.Stderr) : "",
                ["StandardOutputUrl"] = "",
                ["StandardErrorUrl"] = "",
            };
            if (i.StartsAt is { } s && now >= s)
            {
                plugin["ResponseStartDateTime"] = SsmJson.Epoch(s);
            }
            if (i.EndedAt is { } e)
            {
                plugin["ResponseFinishDateTime"] = SsmJson.Epoch(e);
            }
            json["CommandPlugins"] = new JsonArray(plugin);
        }
        return json;
    }

    // The List view's Output: 2,500 characters; with both streams present each gets half, stderr
    // behind the agent's "----------ERROR-------" header (amazon-ssm-agent TruncateOutput).
    private static string PluginOutput(string stdout, string stderr)
    {
        const int limit = 2500;
        const string errorHeader = "\n----------ERROR-------\n";
        if (stderr.Length == 0)
        {
            return SsmJson.Truncate(stdout, limit, SsmJson.StdoutMarker);
        }
        var share = stdout.Length == 0 ? limit : limit / 2;
        return SsmJson.Truncate(stdout, share, SsmJson.StdoutMarker)
            + errorHeader + SsmJson.Truncate(stderr, share - errorHeader.Length, SsmJson.StderrMarker);
    }

    private static JsonObject CommandJson(CommandRecord c, DateTimeOffset now)
    {
        var statuses = c.Invocations.Select(i => i.StatusAt(now).Status).ToList();
        var parameters = new JsonObject();
        foreach (var (key, values) in c.Parameters)
        {
            parameters[key] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
        }
        return new JsonObject
        {
            ["CommandId"] = c.CommandId,
            ["DocumentName"] = c.Document.Name,
            ["DocumentVersion"] = "$DEFAULT",
            ["Comment"] = c.Comment,
            ["ExpiresAfter"] = SsmJson.Epoch(c.RequestedAt + TimeSpan.FromSeconds(c.TimeoutSeconds)),
            ["Parameters"] = parameters,
            ["InstanceIds"] = new JsonArray(c.Invocations.Select(i => (JsonNode)JsonValue.Create(i.InstanceId)!).ToArray()),
            ["Targets"] = new JsonArray(),
            ["RequestedDateTime"] = SsmJson.Epoch(c.RequestedAt),
            ["Status"] = statuses.All(s => s == "Pending") ? "Pending" : "InProgress",
            ["StatusDetails"] = statuses.All(s => s == "Pending") ? "Pending" : "InProgress",
            ["MaxConcurrency"] = "50",
            ["MaxErrors"] = "0",
            ["TargetCount"] = c.Invocations.Count,
            ["CompletedCount"] = 0,
            ["ErrorCount"] = 0,
            ["DeliveryTimedOutCount"] = 0,
            ["TimeoutSeconds"] = c.TimeoutSeconds,
        };
    }

    [GeneratedRegex("^(i|mi)-[0-9a-f]{8,17}$")]
    private static partial Regex InstanceIdShape();
}
