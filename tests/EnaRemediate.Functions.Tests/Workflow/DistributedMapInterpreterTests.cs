using System.Text.Json.Nodes;
using EnaRemediate.Functions.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Functions.Tests.Workflow;

/// <summary>
/// The local interpreter's Distributed Map, on small definitions of its own: batches as
/// {"Items": [...]}, children at once on shared virtual time (their waits overlap, up to
/// MaxConcurrency), the failure tolerance, and Step Functions' 256 KiB state limit.
/// </summary>
public sealed class DistributedMapInterpreterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);

    /// <summary>A Map over $.items whose child waits its batch's first item's seconds, then calls "f" with its batch, failing when asked to.</summary>
    private static string Definition(int batch, int concurrency, int tolerated) => $$"""
        {
          "StartAt": "Fan",
          "States": {
            "Fan": {
              "Type": "Map", "ItemsPath": "$.items", "ItemBatcher": { "MaxItemsPerBatch": {{batch}} }, "MaxConcurrency": {{concurrency}},
              "ToleratedFailurePercentage": {{tolerated}},
              "ItemProcessor": {
                "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
                "StartAt": "Pause",
                "States": {
                  "Pause": { "Type": "Wait", "SecondsPath": "$.Items[0]", "Next": "Call" },
                  "Call": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": { "FunctionName": "f", "Payload.$": "$" },
                            "ResultSelector": { "n.$": "$.Payload.n" }, "ResultPath": "$", "Next": "Done" },
                  "Done": { "Type": "Succeed", "OutputPath": "$.n" }
                }
              },
              "ResultPath": "$.results",
              "Catch": [ { "ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught" } ],
              "End": true
            },
            "Caught": { "Type": "Fail", "Error": "Caught" }
          }
        }
        """;

    private static (LocalStateMachine Machine, FakeTimeProvider Clock, List<(DateTimeOffset At, JsonNode Items)> Calls) Machine(int batch, int concurrency, int tolerated = 0, Func<JsonNode, bool>? fails = null)
    {
        var clock = new FakeTimeProvider(T0);
        var calls = new List<(DateTimeOffset, JsonNode)>();
        var machine = new LocalStateMachine(Definition(batch, concurrency, tolerated), new Dictionary<string, string>(), (_, payload) =>
        {
            lock (calls) calls.Add((clock.GetUtcNow(), payload["Items"]!.DeepClone()));
            if (fails?.Invoke(payload["Items"]!) == true) throw new LocalStateMachine.TaskFailure("Lambda.Unknown", "asked to fail");
            return Task.FromResult<JsonNode>(new JsonObject { ["n"] = payload["Items"]!.AsArray().Count });
        }, new VirtualTime(clock));
        return (machine, clock, calls);
    }

    private static JsonNode Input(params int[] items) => new JsonObject { ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()) };

    [Fact]
    public async Task Batches_run_at_once_so_their_waits_overlap_and_results_keep_batch_order()
    {
        var (machine, _, calls) = Machine(batch: 2, concurrency: 0);

        var run = await machine.RunAsync(Input(30, 30, 20, 20, 10));

        Assert.Equal("SUCCEEDED", run.Status);
        Assert.Equal(TimeSpan.FromSeconds(30), run.Elapsed);
        Assert.Equal("[2,2,1]", run.Output!["results"]!.ToJsonString());
        Assert.Equal([10, 20, 30], calls.Select(c => (int)(c.At - T0).TotalSeconds).Order());
        Assert.Equal(3, run.Batches.Count);
        Assert.All(run.Batches, b => Assert.Equal(["Pause", "Call", "Done"], b.Visited));
    }

    [Fact]
    public async Task MaxConcurrency_holds_the_rest_of_the_batches_until_one_ends()
    {
        var (machine, _, calls) = Machine(batch: 1, concurrency: 2);

        var run = await machine.RunAsync(Input(30, 30, 30, 30, 30));

        Assert.Equal("SUCCEEDED", run.Status);
        // Two at a time: 30 s, 30 s, then the fifth alone.
        Assert.Equal(TimeSpan.FromSeconds(90), run.Elapsed);
        Assert.Equal([30, 30, 60, 60, 90], calls.Select(c => (int)(c.At - T0).TotalSeconds).Order());
    }

    [Fact]
    public async Task Failed_batches_within_the_tolerance_leave_the_others_running_and_beyond_it_fail_the_map()
    {
        var (tolerant, _, _) = Machine(batch: 1, concurrency: 0, tolerated: 50, fails: items => items[0]!.GetValue<int>() == 1);
        var run = await tolerant.RunAsync(Input(1, 2, 3));
        Assert.Equal("SUCCEEDED", run.Status);
        Assert.Equal("Lambda.Unknown", run.Output!["results"]![0]!["Error"]!.GetValue<string>());
        Assert.Equal("[1,1]", new JsonArray(run.Output["results"]!.AsArray().Skip(1).Select(r => r!.DeepClone()).ToArray()).ToJsonString());

        var (strict, _, _) = Machine(batch: 1, concurrency: 0, tolerated: 0, fails: items => items[0]!.GetValue<int>() == 1);
        var failed = await strict.RunAsync(Input(1, 2, 3));
        Assert.Equal(("FAILED", "Caught"), (failed.Status, failed.Error));
        Assert.Equal(["Fan", "Caught"], failed.Visited);
    }

    [Fact]
    public async Task A_state_over_256_KiB_fails_the_execution_as_Step_Functions_does()
    {
        var (machine, _, _) = Machine(batch: 1, concurrency: 0);

        var run = await machine.RunAsync(Input(Enumerable.Repeat(1_000_000, 40_000).ToArray()));

        Assert.Equal(("FAILED", "States.DataLimitExceeded"), (run.Status, run.Error));
    }

    [Fact]
    public async Task A_map_mode_the_interpreter_does_not_model_is_an_error_not_a_guess()
    {
        var inline = Definition(1, 0, 0).Replace("\"DISTRIBUTED\"", "\"INLINE\"");
        var machine = new LocalStateMachine(inline, new Dictionary<string, string>(), (_, p) => Task.FromResult(p), new VirtualTime(new FakeTimeProvider(T0)));

        await Assert.ThrowsAsync<InvalidOperationException>(() => machine.RunAsync(Input(1)));
    }
}
