using System.Text.Json.Nodes;
using CsCheck;
using EnaRemediate.Functions.Handlers;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>sweep, diagnose, advance's failure record and hostile intake input, on the simulator and dynalite.</summary>
public sealed class HandlersOnSimulatorTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    private static readonly string[] MutatingEc2 = ["StopInstances", "StartInstances", "ModifyInstanceAttribute"];

    [Fact]
    public async Task A_scheduled_sweep_finds_every_impaired_opted_in_instance_and_recovers_them_in_one_workflow()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var impaired = deployment.Sim.World.Instances.Select(i => i.InstanceId).ToList();
        Assert.True(impaired.Count > 1);

        var run = await deployment.Workflow().RunAsync(JsonNode.Parse("""{"source":"enaremediate.sweep"}""")!);

        Assert.True(run.Status == "SUCCEEDED", $"{run.Status} {run.Error} {run.Cause}");
        Assert.Equal(["Route", "Sweep", "HasWork", "FanOut", "Summarise", "AllFinished", "Notify", "Finished"], run.Visited);
        foreach (var id in impaired)
        {
            Assert.Equal(("ok", true), await deployment.InstanceAsync(id));
            Assert.Equal(("recovered", "sweep"), ((await deployment.Services.Store.GetLatestAsync(id))!.Outcome, (await deployment.Services.Store.GetLatestAsync(id))!.Trigger));
        }
        // One batch: the loop advanced all instances together, not one workflow each.
        Assert.Single(run.SnsMessages);

        var again = await deployment.Workflow().RunAsync(JsonNode.Parse("""{"source":"enaremediate.sweep"}""")!);
        Assert.Equal(["Route", "Sweep", "HasWork", "NothingToDo"], again.Visited);
    }

    [Fact]
    public async Task Diagnose_answers_from_observation_and_changes_nothing()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");
        var before = deployment.Sim.World.Counters.Snapshot();

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("diagnose"), JsonNode.Parse($$"""{"instanceIds":["{{id}}"]}""")!);

        var instance = answer["instances"]!.AsArray().Single()!;
        Assert.Equal("fallback", instance["plan"]!.GetValue<string>());
        Assert.Equal("would run fallback", instance["verdict"]!.GetValue<string>());
        Assert.Equal("impaired", instance["instanceStatus"]!.GetValue<string>());
        Assert.NotEmpty(instance["plannedCalls"]!.AsArray());
        var after = deployment.Sim.World.Counters.Snapshot();
        Assert.All(MutatingEc2, a => Assert.Equal(before.GetValueOrDefault(a), after.GetValueOrDefault(a)));
        Assert.Null(await deployment.Services.Store.GetLatestAsync(id));
        Assert.Equal(("impaired", true), await deployment.InstanceAsync(id));
    }

    [Fact]
    public async Task The_workflows_catch_writes_the_error_into_the_records_history()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var id = deployment.InstanceOfGroup("web");
        var started = await deployment.InvokeAsync(Deployment.FunctionArn("intake"), JsonNode.Parse($$"""{"instanceIds":["{{id}}"],"mode":"remediate"}""")!);
        var remediationId = started["remediationIds"]![0]!.GetValue<string>();

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("advance"), new JsonObject
        {
            ["remediationIds"] = new JsonArray(remediationId),
            ["workflowError"] = new JsonObject { ["Error"] = "Lambda.Unknown", ["Cause"] = "The function timed out" },
        });

        Assert.Equal(1, answer["recorded"]!.GetValue<int>());
        var record = (await deployment.Services.Store.GetAsync(remediationId))!;
        Assert.Contains(record.History, h => h.Event == "workflow stopped: Lambda.Unknown: The function timed out");
        Assert.False(record.IsFinished);
    }

    [Fact]
    public async Task Advance_rejects_a_payload_that_is_not_its_own()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        foreach (var payload in new[] { """{"remediationIds":"x"}""", """{"ids":[]}""", """{"remediationIds":[""]}""", """{"remediationIds":[1]}""" })
        {
            var failure = await Assert.ThrowsAsync<LocalStateMachine.TaskFailure>(() => deployment.InvokeAsync(Deployment.FunctionArn("advance"), JsonNode.Parse(payload)!));
            Assert.Equal(nameof(InvalidRequestException), failure.Error);
        }
    }

    [Fact]
    public async Task Hostile_events_into_intake_cause_no_record_and_no_ec2_call()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var samples = Fixtures.EventNames.Select(Fixtures.Event).ToArray();
        var intake = Deployment.FunctionArn("intake");
        var acted = 0; // one at a time: the EC2 request counter is shared

        await Gen.Select(Gen.Int[0, samples.Length - 1], Gen.Int[0, 100_000], Gen.Char.Array[1, 8])
            .SampleAsync(async (sample, at, garbage) =>
            {
                var text = samples[sample];
                var position = at % text.Length;
                var mutated = text[..position] + new string(garbage) + text[Math.Min(text.Length, position + garbage.Length)..];
                var before = deployment.Sim.World.Counters.Total;
                JsonNode? payload;
                try { payload = JsonNode.Parse(mutated); }
                catch (System.Text.Json.JsonException) { payload = JsonValue.Create(mutated); }
                try
                {
                    var answer = await deployment.InvokeAsync(intake, payload ?? JsonValue.Create("null")!);
                    if (answer["outcome"]!.GetValue<string>() != "ignored") { acted++; return; }
                }
                catch (LocalStateMachine.TaskFailure failure)
                {
                    Assert.Equal(nameof(InvalidRequestException), failure.Error);
                }
                Assert.Equal(before, deployment.Sim.World.Counters.Total);
            }, iter: 300, threads: 1);

        // Mutations that keep an event valid do reach the engine; the rest changed nothing above.
        Assert.True(acted < 300);
    }
}
