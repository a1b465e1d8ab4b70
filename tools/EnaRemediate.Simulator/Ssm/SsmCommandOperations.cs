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
        new RebundleInstanceDocument(),
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
        var parameters = document.Resolve(ctx.Request.Parameters("Parameters"), p => ctx.World.Faults.UndeclaredParameters.Contains((name, p)));
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
            OutputBucket = ctx.Request.String("OutputS3BucketName") is { Length: > 0 } bucket ? bucket : null,
            OutputPrefix = ctx.Request.String("OutputS3KeyPrefix") ?? "",
        };
        command.Invocations.AddRange(ids.Distinct().Select(id => new InvocationRecord { Command = command, InstanceId = id }));
        ctx.World.Commands.Add(command, ctx.Now);
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
        var (document, invokedAfter) = Filters(ctx.Request.Objects("Filters"));
        // An unknown command id is not an error here, as in SSM: the list is just empty.
        var candidates = commandId is not null ? ctx.World.Commands.Find(commandId)?.Invocations ?? []
            : instanceId is not null ? ctx.World.Commands.InvocationsOn(instanceId)
            : invokedAfter is { } after ? ctx.World.Commands.InvocationsSince(after)
            : ctx.World.Commands.Invocations;
        var rows = candidates
            .Where(i => (instanceId is null || i.InstanceId == instanceId) && ctx.Now >= i.Command.VisibleAt)
            .Where(i => (document is null || i.Command.Document.Name == document) && (invokedAfter is null || i.Command.RequestedAt >= invokedAfter))
            .OrderByDescending(i => i.Command.RequestedAt)
            .ToList();
        var (page, next) = SsmPaging.Page(rows, ctx.Request.String("NextToken"), maxResults);
        var result = new JsonObject
        {
            ["CommandInvocations"] = new JsonArray(page.Select(i => (JsonNode)InvocationJson(i, details, ctx.Now)).ToArray()),
        };
        if (next is not null)
        {
            result["NextToken"] = next;
        }
        return result;
    }

    /// <summary>The DocumentName and InvokedAfter filters ({"key","value"}); other keys are refused as SSM refuses them here.</summary>
    private static (string? Document, DateTimeOffset? InvokedAfter) Filters(IReadOnlyList<JsonObject> filters)
    {
        string? document = null;
        DateTimeOffset? after = null;
        foreach (var filter in filters)
        {
            var key = filter["key"]?.GetValue<string>();
            var value = filter["value"]?.GetValue<string>() ?? "";
            switch (key)
            {
                case "DocumentName":
                    document = value;
                    break;
                case "InvokedAfter" when DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at):
                    after = at;
                    break;
                default:
                    throw new ApiException("InvalidFilterKey", $"The filter {key}={value} is not supported by the simulator (DocumentName and InvokedAfter are).");
            }
        }
        return (document, after);
    }

    public JsonObject CancelCommand(SsmContext ctx)
    {
        var commandId = ctx.Request.Required("CommandId");
        var command = ctx.World.Commands.Find(commandId)
            ?? throw new ApiException("InvalidCommandId", $"Command {commandId} does not exist.");
        var ids = ctx.Request.Strings("InstanceIds");
        foreach (var invocation in command.Invocations.Where(i => ids.Count == 0 || ids.Contains(i.InstanceId)))
        {
            ctx.World.Commands.Cancel(invocation, ctx.Now);
        }
        return [];
    }

    // Right after SendCommand SSM does not know the invocation yet (VisibleAt): the same answer as for one that never existed.
    private static InvocationRecord Find(SsmContext ctx, string commandId, string instanceId) =>
        ctx.World.Commands.Find(commandId) is { } command && ctx.Now >= command.VisibleAt
        && command.Invocations.FirstOrDefault(i => i.InstanceId == instanceId) is { } invocation
            ? invocation
            : throw new ApiException("InvocationDoesNotExist", "An invocation with the specified command ID and instance ID doesn't exist.");

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

    // The List view's Output: at most 2,500 characters, as amazon-ssm-agent's TruncateOutput makes
    // it (counted in characters here, in bytes there): stderr behind the "----------ERROR-------"
    // header; when both do not fit, a stream shorter than half keeps it all and the other is cut to
    // the rest, else both are cut to half, each ending with its marker.
    private static string PluginOutput(StoredText stdout, StoredText stderr)
    {
        const int capacity = 2500;
        var title = stderr.Length > 0 ? "\n----------ERROR-------\n" : "";
        var available = capacity - title.Length;
        if (stdout.Length + stderr.Length < available)
        {
            return stdout + title + stderr;
        }
        var cutOut = SsmJson.StdoutMarker.Length;
        var cutErr = SsmJson.StderrMarker.Length;
        if (stdout.Length > available / 2 && stderr.Length > available / 2)
        {
            var half = (available - cutOut - cutErr) / 2;
            return stdout.Head(half) + SsmJson.StdoutMarker + title + stderr.Head(half) + SsmJson.StderrMarker;
        }
        // The agent tests "<" here and would slice out of range at exactly half; the simulator keeps it whole.
        if (stdout.Length <= available / 2)
        {
            return stdout + title + stderr.Head(available - cutErr - stdout.Length) + SsmJson.StderrMarker;
        }
        return stdout.Head(available - cutOut - stderr.Length) + SsmJson.StdoutMarker + title + stderr;
    }

    /// <summary>A command as SendCommand and ListCommands show it, its status and counts aggregated from its invocations.</summary>
    internal static JsonObject CommandJson(CommandRecord c, DateTimeOffset now)
    {
        var statuses = c.Invocations.Select(i => i.StatusAt(now)).ToList();
        var status = CommandStatus(statuses.Select(s => s.Status).ToList());
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
            ["Status"] = status,
            ["StatusDetails"] = status,
            ["OutputS3BucketName"] = c.OutputBucket ?? "",
            ["OutputS3KeyPrefix"] = c.OutputPrefix,
            ["MaxConcurrency"] = "50",
            ["MaxErrors"] = "0",
            ["TargetCount"] = c.Invocations.Count,
            ["CompletedCount"] = c.Invocations.Count(i => i.IsFinished),
            ["ErrorCount"] = statuses.Count(s => s.Status is "Failed" or "TimedOut"),
            ["DeliveryTimedOutCount"] = statuses.Count(s => s.Details == "Delivery Timed Out"),
            ["TimeoutSeconds"] = c.TimeoutSeconds,
        };
    }

    // SSM's command status: running while any invocation runs; then the worst outcome (MaxErrors is 0).
    private static string CommandStatus(List<string> statuses) =>
        statuses.All(s => s == "Pending") ? "Pending"
        : statuses.Any(s => s is "Pending" or "InProgress") ? "InProgress"
        : statuses.Contains("Failed") ? "Failed"
        : statuses.Contains("TimedOut") ? "TimedOut"
        : statuses.Contains("Cancelled") ? "Cancelled"
        : "Success";

    [GeneratedRegex("^(i|mi)-[0-9a-f]{8,17}$")]
    private static partial Regex InstanceIdShape();
}
