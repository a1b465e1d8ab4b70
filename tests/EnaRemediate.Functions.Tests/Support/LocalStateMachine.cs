using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EnaRemediate.Functions.Tests.Support;

/// <summary>
/// A small interpreter of *our* ASL definition, enough to run it here: Task (lambda:invoke through
/// a callback; sns:publish and events:putEvents recorded), Choice (IsPresent, StringEquals,
/// BooleanEquals, And), Wait (SecondsPath, on <see cref="VirtualTime"/>), Succeed (OutputPath),
/// Fail, and Map in DISTRIBUTED mode over an array in the state (ItemsPath, ItemBatcher's
/// MaxItemsPerBatch, MaxConcurrency, ToleratedFailurePercentage): each batch a child execution,
/// all running at once on the shared virtual clock. Parameters with ".$" paths and
/// States.JsonToString, ResultSelector, ResultPath, Retry and Catch; any state whose data exceeds
/// Step Functions' 256 KiB (or any task whose raw result does) fails the execution with States.DataLimitExceeded, as AWS does.
/// Anything else in the definition is an error, so the definition cannot drift past what this test covers.
/// </summary>
public sealed class LocalStateMachine(string definitionJson, IReadOnlyDictionary<string, string> substitutions,
    Func<string, JsonNode, Task<JsonNode>> invokeLambda, VirtualTime time)
{
    /// <summary>An execution's end; Elapsed is simulated time from start to end, Batches the child executions of its Map (in batch order).</summary>
    public sealed record Outcome(string Status, JsonNode? Output, string? Error, string? Cause, IReadOnlyList<string> Visited,
        IReadOnlyList<JsonNode> SnsMessages, IReadOnlyList<JsonNode> Events, TimeSpan Elapsed, IReadOnlyList<Outcome> Batches);

    /// <summary>What a failing Task raises: Error is what Retry/Catch ErrorEquals see (Lambda's errorType).</summary>
    public sealed class TaskFailure(string error, string cause) : Exception(cause)
    {
        public string Error { get; } = error;
    }

    /// <summary>Step Functions' limit on a state's input or output (UTF-8 bytes).</summary>
    public const int MaxStateBytes = 256 * 1024;
    private const int MaxTransitions = 10_000;
    private readonly JsonNode definition = JsonNode.Parse(Regex.Replace(definitionJson, @"\$\{(\w+)\}", m => substitutions[m.Groups[1].Value]))!;
    // Every execution's published messages and events, in the order they happened.
    private readonly List<JsonNode> sns = [];
    private readonly List<JsonNode> events = [];

    public Task<Outcome> RunAsync(JsonNode input) => ExecuteAsync(definition, input.DeepClone());

    private async Task<Outcome> ExecuteAsync(JsonNode machine, JsonNode data)
    {
        var started = time.Now;
        var visited = new List<string>();
        var batches = new List<Outcome>();
        string? name = machine["StartAt"]!.GetValue<string>();
        Outcome End(string status, JsonNode? output, string? error = null, string? cause = null)
        {
            lock (sns) return new(status, output, error, cause, visited, sns.ToList(), events.ToList(), time.Now - started, batches);
        }
        for (var step = 0; step < MaxTransitions; step++)
        {
            if (name is null) return End("SUCCEEDED", data);
            if (Encoding.UTF8.GetByteCount(data.ToJsonString()) is var bytes && bytes > MaxStateBytes)
                return End("FAILED", null, DataLimitExceeded, $"The input of state {name} is {bytes} bytes, more than {MaxStateBytes}.");
            visited.Add(name);
            var state = machine["States"]![name] ?? throw new InvalidOperationException($"No state {name}.");
            try
            {
                switch (state["Type"]!.GetValue<string>())
                {
                    case "Succeed":
                        return End("SUCCEEDED", state["OutputPath"] is { } output ? Select(data, output.GetValue<string>())?.DeepClone() : data);
                    case "Fail":
                        return End("FAILED", null, state["Error"]?.GetValue<string>(), state["Cause"]?.GetValue<string>());
                    case "Choice":
                        name = Choose(state, data);
                        break;
                    case "Wait":
                        var seconds = Select(data, state["SecondsPath"]!.GetValue<string>())!.GetValue<int>();
                        if (seconds < 0) throw new InvalidOperationException("Wait SecondsPath resolved to a negative number.");
                        await time.SleepAsync(TimeSpan.FromSeconds(seconds));
                        name = state["Next"]!.GetValue<string>();
                        break;
                    case "Task":
                        (data, name) = await RunTaskAsync(state, data);
                        break;
                    case "Map":
                        (data, name) = await RunMapAsync(state, data, batches);
                        break;
                    case var other:
                        throw new InvalidOperationException($"State type {other} is outside what this interpreter supports.");
                }
            }
            catch (TaskFailure failure)
            {
                // No Catch matched: the execution fails with the state's error, as in Step Functions.
                return End("FAILED", null, failure.Error, failure.Message);
            }
        }
        throw new InvalidOperationException($"More than {MaxTransitions} transitions: the workflow does not end.");
    }

    /// <summary>
    /// A Map in DISTRIBUTED mode: the array at ItemsPath cut into ItemBatcher's batches, each
    /// batch ({"Items": [...]}) a child execution of ItemProcessor; the results (in batch order)
    /// at ResultPath. More failed children than ToleratedFailurePercentage fail the Map
    /// (States.ExceedToleratedFailureThreshold), which its Catch sees like a Task's error.
    /// </summary>
    private async Task<(JsonNode Data, string? Next)> RunMapAsync(JsonNode state, JsonNode data, List<Outcome> batches)
    {
        foreach (var unsupported in new[] { "ItemReader", "ItemSelector", "ResultWriter", "ResultSelector", "Retry", "Parameters" })
            if (state[unsupported] is not null) throw new InvalidOperationException($"Map field {unsupported} is outside what this interpreter supports.");
        var processor = state["ItemProcessor"]!;
        if (processor["ProcessorConfig"]?["Mode"]?.GetValue<string>() != "DISTRIBUTED" || processor["ProcessorConfig"]!["ExecutionType"]?.GetValue<string>() != "STANDARD")
            throw new InvalidOperationException("Only a Map in DISTRIBUTED mode with STANDARD child executions is supported.");
        try
        {
            if (Select(data, state["ItemsPath"]?.GetValue<string>() ?? "$") is not JsonArray items)
                throw new TaskFailure("States.Runtime", "The Map's ItemsPath does not name an array.");
            var size = state["ItemBatcher"]?["MaxItemsPerBatch"]?.GetValue<int>() ?? 1;
            var inputs = items.Chunk(size).Select(chunk => state["ItemBatcher"] is null
                ? chunk[0]!.DeepClone()
                : new JsonObject { ["Items"] = new JsonArray(chunk.Select(i => i!.DeepClone()).ToArray()) }).ToList();
            var children = await time.ForkAsync(inputs.Select(input => (Func<Task<Outcome>>)(() => ExecuteAsync(processor, input))).ToList(),
                state["MaxConcurrency"]?.GetValue<int>() ?? 0);
            batches.AddRange(children);
            var failed = children.Count(c => c.Status != "SUCCEEDED");
            var tolerated = state["ToleratedFailurePercentage"]?.GetValue<double>() ?? 0;
            if (children.Length > 0 && failed * 100.0 / children.Length > tolerated)
                throw new TaskFailure("States.ExceedToleratedFailureThreshold", $"{failed} of {children.Length} child executions failed.");
            var results = new JsonArray(children.Select(c => c.Status == "SUCCEEDED" ? c.Output?.DeepClone() : new JsonObject { ["Error"] = c.Error, ["Cause"] = c.Cause }).ToArray());
            return (Place(data, state, "ResultPath", results), NextOf(state));
        }
        catch (TaskFailure failure)
        {
            return Caught(state, data, failure);
        }
    }

    /// <summary>The state's Next, or null when it ends the execution ("End": true).</summary>
    private static string? NextOf(JsonNode state) =>
        state["Next"]?.GetValue<string>() ?? (state["End"]?.GetValue<bool>() == true ? null : throw new InvalidOperationException("A state has neither Next nor End."));

    private (JsonNode Data, string? Next) Caught(JsonNode state, JsonNode data, TaskFailure failure)
    {
        var catcher = state["Catch"]?.AsArray().FirstOrDefault(c => Matches(c!["ErrorEquals"]!, failure.Error));
        if (catcher is null) throw failure;
        var error = new JsonObject { ["Error"] = failure.Error, ["Cause"] = failure.Message };
        return (Place(data, catcher, "ResultPath", error), catcher["Next"]!.GetValue<string>());
    }

    private async Task<(JsonNode Data, string? Next)> RunTaskAsync(JsonNode state, JsonNode data)
    {
        var attempts = new Dictionary<JsonNode, int>();
        while (true)
        {
            try
            {
                var parameters = Evaluate(state["Parameters"] ?? JsonValue.Create("$")!, data)!;
                var result = await CallAsync(state["Resource"]!.GetValue<string>(), parameters);
                if (state["ResultSelector"] is { } selector) result = Evaluate(selector, result)!;
                return (Place(data, state, "ResultPath", result), NextOf(state));
            }
            catch (TaskFailure failure)
            {
                var retrier = state["Retry"]?.AsArray().FirstOrDefault(r => Matches(r!["ErrorEquals"]!, failure.Error));
                if (retrier is not null)
                {
                    var used = attempts.GetValueOrDefault(retrier);
                    if (used < (retrier["MaxAttempts"]?.GetValue<int>() ?? 3))
                    {
                        attempts[retrier] = used + 1;
                        continue;
                    }
                }
                return Caught(state, data, failure);
            }
        }
    }

    private async Task<JsonNode> CallAsync(string resource, JsonNode parameters)
    {
        switch (resource)
        {
            case "arn:aws:states:::lambda:invoke":
                var payload = parameters["Payload"] ?? new JsonObject();
                var answer = await invokeLambda(parameters["FunctionName"]!.GetValue<string>(), payload.DeepClone());
                // The task's result is limited like a state (before ResultSelector can make it smaller).
                if (Encoding.UTF8.GetByteCount(answer.ToJsonString()) is var bytes && bytes > MaxStateBytes)
                    throw new TaskFailure(DataLimitExceeded, $"The function returned {bytes} bytes, more than {MaxStateBytes}.");
                return new JsonObject { ["StatusCode"] = 200, ["Payload"] = answer };
            case "arn:aws:states:::sns:publish":
                lock (sns) sns.Add(parameters.DeepClone());
                return new JsonObject { ["MessageId"] = Guid.NewGuid().ToString() };
            case "arn:aws:states:::events:putEvents":
                lock (sns) events.AddRange(parameters["Entries"]!.AsArray().Select(e => e!.DeepClone()));
                return new JsonObject { ["FailedEntryCount"] = 0 };
            default:
                throw new InvalidOperationException($"Task resource {resource} is outside what this interpreter supports.");
        }
    }

    /// <summary>Terminal: States.ALL does not catch it (Step Functions' error handling says so).</summary>
    private const string DataLimitExceeded = "States.DataLimitExceeded";

    private static bool Matches(JsonNode errorEquals, string error) =>
        errorEquals.AsArray().Any(e => e!.GetValue<string>() is var name
            && (name == error || (name == "States.ALL" && error != DataLimitExceeded) || (name == "States.TaskFailed" && !error.StartsWith("States.", StringComparison.Ordinal))));

    private static string Choose(JsonNode state, JsonNode data)
    {
        foreach (var rule in state["Choices"]!.AsArray().Select(r => r!))
        {
            if (Holds(rule, data)) return rule["Next"]!.GetValue<string>();
        }
        return state["Default"]?.GetValue<string>() ?? throw new InvalidOperationException("No choice matched and there is no Default (States.NoChoiceMatched).");
    }

    /// <summary>One Choice rule; And evaluates in order and stops at the first false, as Step Functions does (so IsPresent can guard a comparison).</summary>
    private static bool Holds(JsonNode rule, JsonNode data)
    {
        if (rule["And"] is JsonArray all) return all.All(r => Holds(r!, data));
        var value = Select(data, rule["Variable"]!.GetValue<string>());
        return
            rule["IsPresent"] is { } present ? (value is not null || Exists(data, rule["Variable"]!.GetValue<string>())) == present.GetValue<bool>() :
            rule["StringEquals"] is { } text ? value is JsonValue v && v.TryGetValue<string>(out var s) && s == text.GetValue<string>() :
            rule["BooleanEquals"] is { } flag ? value is JsonValue b && b.TryGetValue<bool>(out var f) && f == flag.GetValue<bool>() :
            throw new InvalidOperationException($"Choice rule {rule.ToJsonString()} is outside what this interpreter supports.");
    }

    /// <summary>Parameters/ResultSelector: keys ending in ".$" take a path or States.JsonToString(path); the rest is literal.</summary>
    private static JsonNode? Evaluate(JsonNode template, JsonNode data) => template switch
    {
        JsonValue v when v.TryGetValue<string>(out var path) && path.StartsWith('$') => Select(data, path)?.DeepClone(),
        JsonObject o => new JsonObject(o.Select(p => p.Key.EndsWith(".$", StringComparison.Ordinal)
            ? KeyValuePair.Create(p.Key[..^2], Expression(p.Value!.GetValue<string>(), data))
            : KeyValuePair.Create(p.Key, p.Value is JsonObject or JsonArray ? Evaluate(p.Value, data) : p.Value?.DeepClone()))),
        JsonArray a => new JsonArray(a.Select(i => Evaluate(i!, data)).ToArray()),
        _ => template.DeepClone(),
    };

    private static JsonNode? Expression(string expression, JsonNode data)
    {
        var intrinsic = Regex.Match(expression, @"^States\.JsonToString\((\$[^)]*)\)$");
        if (intrinsic.Success) return JsonValue.Create(Select(data, intrinsic.Groups[1].Value)?.ToJsonString() ?? "null");
        if (expression.StartsWith("States.", StringComparison.Ordinal)) throw new InvalidOperationException($"Intrinsic {expression} is outside what this interpreter supports.");
        // A field holding JSON null is found (its value is null); only an absent one is an error.
        return Select(data, expression)?.DeepClone() ?? (Exists(data, expression) ? null : throw new TaskFailure("States.Runtime", $"The JSONPath {expression} could not be found in the input."));
    }

    /// <summary>Whether $.a.b names a field, even one whose value is null.</summary>
    private static bool Exists(JsonNode data, string path)
    {
        var cut = path.LastIndexOf('.');
        return cut > 0 && Select(data, path[..cut]) is JsonObject parent && parent.ContainsKey(path[(cut + 1)..]);
    }

    /// <summary>$, $.a.b and $.a[0]; null when absent.</summary>
    private static JsonNode? Select(JsonNode data, string path)
    {
        if (path == "$") return data;
        JsonNode? node = data;
        foreach (Match part in Regex.Matches(path[1..], @"\.(\w+)|\[(\d+)\]"))
        {
            node = part.Groups[1].Success
                ? (node as JsonObject)?[part.Groups[1].Value]
                : node is JsonArray a && int.Parse(part.Groups[2].Value) is var i && i < a.Count ? a[i] : null;
            if (node is null) return null;
        }
        return node;
    }

    /// <summary>ResultPath: "$" replaces the input, "$.x" sets x in a copy, null keeps the input.</summary>
    private static JsonNode Place(JsonNode data, JsonNode holder, string field, JsonNode result)
    {
        if (holder is JsonObject o && o.TryGetPropertyValue(field, out var pathNode) && pathNode is null) return data;
        var path = holder[field]?.GetValue<string>() ?? "$";
        if (path == "$") return result;
        var copy = data.DeepClone().AsObject();
        copy[path[2..]] = result.DeepClone();
        return copy;
    }
}
