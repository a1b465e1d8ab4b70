using System.Text.Json;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Notifications;
using EnaRemediate.Functions.Hosting;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// advance: one reconciler step over the batch in the workflow's input
/// (<c>{"remediationIds":[...]}</c>, one batch of the workflow's fan-out), answering when to look
/// again. With <c>workflowError</c> (the state machine's Catch) it instead writes that error into
/// each unfinished record's history, so the audit log says why the workflow stopped; the sweep
/// resumes those records later. With <c>"summarise": true</c> (after every batch ended) it takes no
/// step: it reads all the workflow's records once and composes the end notification.
/// </summary>
public sealed class AdvanceHandler(RemediationService engine, IRemediationStore store, TimeProvider time, NotificationComposer notifications) : IFunctionHandler
{
    /// <summary>Step Functions' Wait needs a positive number; never spin faster than once a second.</summary>
    private const int MinimumWaitSeconds = 1;
    private const int MaximumWaitSeconds = 3600;

    /// <summary>Records one step may advance: the fan-out's batch (ItemBatcher's MaxItemsPerBatch) must not exceed it, so each answer stays far below Step Functions' 256 KB state limit.</summary>
    public const int MaxPerStep = 200;

    public async Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var (ids, workflowError, summarise) = Parse(invocation.Payload);
        if (summarise)
        {
            var summary = await new RunSummary(store, time).ReadAsync(ids, cancellationToken);
            invocation.Log.Info("summarised", new { summary.Result.Done, records = summary.Result.Records.Count, unknown = summary.Result.UnknownRemediationIds.Count });
            return JsonOutput.Write(new SummaryAnswer(summary.Result.Done, summary.Result.Done ? notifications.ForEnd(summary.Result) : null, summary.Error));
        }
        if (workflowError is not null)
        {
            var recorded = await RecordFailureAsync(ids, workflowError, cancellationToken);
            invocation.Log.Warn("workflow failure recorded", new { remediationIds = ids, recorded, workflowError });
            return JsonOutput.Write(new { remediationIds = ids, recorded });
        }

        var result = await engine.AdvanceAsync(ids, cancellationToken);
        var wait = Math.Clamp(result.WaitSeconds, MinimumWaitSeconds, MaximumWaitSeconds);
        invocation.Log.Info("advanced", new { result.Done, waitSeconds = wait, steps = result.Records.Select(r => new { r.RemediationId, r.Step, r.Outcome }) });
        return JsonOutput.Write(new AdvanceAnswer(ids, result.Done, wait, result.Records, result.UnknownRemediationIds, result.Done ? notifications.ForEnd(result) : null));
    }

    private async Task<int> RecordFailureAsync(IReadOnlyList<string> ids, string error, CancellationToken cancellationToken)
    {
        var recorded = 0;
        foreach (var id in ids)
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                if (await store.GetAsync(id, cancellationToken) is not { IsFinished: false } record) break;
                try
                {
                    var now = time.GetUtcNow();
                    var noted = record with { History = record.History.Add(new HistoryEntry(now, record.Step, $"workflow stopped: {error}")), UpdatedAt = now };
                    await store.SaveAsync(noted, record.Version, cancellationToken);
                    recorded++;
                    break;
                }
                catch (StoreConflictException)
                {
                    // Another writer moved it on; read again and append to the newer copy.
                }
            }
        }
        return recorded;
    }

    private static (IReadOnlyList<string> Ids, string? WorkflowError, bool Summarise) Parse(string payload)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(payload); }
        catch (JsonException e) { throw new InvalidRequestException($"advance expects {{\"remediationIds\":[...]}}; the payload is not JSON ({e.Message})."); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("remediationIds", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new InvalidRequestException("advance expects {\"remediationIds\":[...]} as produced by intake or sweep.");
            var ids = new List<string>();
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 and <= 200 } id || id.Any(char.IsControl))
                    throw new InvalidRequestException("remediationIds must hold non-empty remediation id strings.");
                ids.Add(id);
            }
            var summarise = document.RootElement.TryGetProperty("summarise", out var flag) && flag.ValueKind == JsonValueKind.True;
            var limit = summarise ? SweepHandler.MaxPerWorkflow : MaxPerStep;
            if (ids.Count > limit)
                throw new InvalidRequestException($"{ids.Count} remediation ids; at most {limit} {(summarise ? "per workflow" : "per step (one batch of the workflow's fan-out)")}.");
            string? error = document.RootElement.TryGetProperty("workflowError", out var e) && e.ValueKind == JsonValueKind.Object
                ? Describe(e) : null;
            return (ids.Distinct().ToList(), error, summarise);
        }
    }

    /// <summary>
    /// Step Functions' Catch output: {"Error": "...", "Cause": "..."}; kept short for the history line.
    /// A function's own error arrives as Error = its exception's type name and Cause = the runtime's
    /// JSON (errorMessage, errorType, stackTrace): only its message is an operator's to read.
    /// </summary>
    private static string Describe(JsonElement error)
    {
        var name = error.TryGetProperty("Error", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : "unknown error";
        var cause = error.TryGetProperty("Cause", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() ?? "" : "";
        var text = FunctionErrorMessage(cause) is { } message ? $"the function failed: {message}" : $"{name}: {cause}";
        return text.Length > 500 ? text[..500] + "…" : text;
    }

    /// <summary>The errorMessage of a Lambda function error's JSON cause; null when the cause is not one.</summary>
    private static string? FunctionErrorMessage(string cause)
    {
        try
        {
            using var document = JsonDocument.Parse(cause);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errorMessage", out var message) && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What the state machine reads: done → publish notification; otherwise Wait waitSeconds and advance again.</summary>
/// <remarks>notification is written as null (not left out) while not done, so the state machine's ResultSelector always finds the field.</remarks>
public sealed record AdvanceAnswer(IReadOnlyList<string> RemediationIds, bool Done, int WaitSeconds, IReadOnlyList<RecordSummary> Records, IReadOnlyList<string> UnknownRemediationIds,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] Notification? Notification);

/// <summary>The end of a fan-out: done (every record has an outcome) → publish notification; otherwise error says what is unfinished.</summary>
public sealed record SummaryAnswer(bool Done,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] Notification? Notification,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] WorkflowError? Error);

/// <summary>What Step Functions' Catch would have written ({"Error","Cause"}), so the failure path reads one shape.</summary>
public sealed record WorkflowError(
    [property: System.Text.Json.Serialization.JsonPropertyName("Error")] string Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("Cause")] string Cause);
