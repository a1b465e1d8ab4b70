using System.Text.Json.Nodes;
using EnaRemediate.Core.Plans;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>The register-ami function on the simulator and dynalite, driven by the advance function as the workflow would (docs/instance-store.md).</summary>
public sealed class RegisterAmiHandlerTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    [Fact]
    public async Task Instance_store_instances_get_an_image_and_a_replacement_and_are_never_stopped()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "instance-store");
        var ids = deployment.Sim.World.Instances.Select(i => i.InstanceId).ToList();
        var payload = new JsonObject { ["instanceIds"] = new JsonArray(ids.Select(i => (JsonNode)i!).ToArray()), ["launchReplacement"] = true };

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("register-ami"), payload);

        Assert.Equal("started", answer["outcome"]!.GetValue<string>());
        var remediationIds = answer["remediationIds"]!.AsArray();
        Assert.Equal(ids.Count, remediationIds.Count);
        for (var look = 0; look < 200; look++)
        {
            var advance = await deployment.InvokeAsync(Deployment.FunctionArn("advance"), new JsonObject { ["remediationIds"] = remediationIds.DeepClone() });
            if (advance["done"]!.GetValue<bool>())
            {
                break;
            }
            deployment.Clock.Advance(TimeSpan.FromSeconds(advance["waitSeconds"]!.GetValue<int>()));
        }
        foreach (var id in ids)
        {
            var record = (await deployment.Services.Store.GetLatestAsync(id))!;
            Assert.True(record.Outcome == Outcomes.AmiRegistered, $"{id}: {record.Outcome}: {record.OutcomeReason}");
            Assert.Equal(0, deployment.Sim.World.Counters["StopInstances", id] + deployment.Sim.World.Counters["RebootInstances", id] + deployment.Sim.World.Counters["TerminateInstances", id]);
        }
        Assert.Equal(1, deployment.Sim.World.Counters["RegisterImage"]);
        Assert.Equal(ids.Count, deployment.Sim.World.Counters["RunInstances"]);
    }

    [Fact]
    public async Task With_thenRemediate_the_replacement_is_taken_on_to_a_validated_ena_enabled_replacement()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "instance-store");
        var id = deployment.Sim.World.Instances[0].InstanceId;
        var payload = new JsonObject
        {
            ["instanceIds"] = new JsonArray(id), ["launchReplacement"] = true, ["thenRemediate"] = "true", ["bundleBucket"] = "enaremediate-stack-bundles",
        };

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("register-ami"), payload);
        var remediationIds = answer["remediationIds"]!.AsArray();
        for (var look = 0; look < 400; look++)
        {
            var advance = await deployment.InvokeAsync(Deployment.FunctionArn("advance"), new JsonObject { ["remediationIds"] = remediationIds.DeepClone() });
            if (advance["done"]!.GetValue<bool>())
            {
                break;
            }
            deployment.Clock.Advance(TimeSpan.FromSeconds(advance["waitSeconds"]!.GetValue<int>()));
        }

        var record = (await deployment.Services.Store.GetLatestAsync(id))!;
        Assert.True(record.Outcome == Outcomes.AmiRegistered, $"{record.Outcome}: {record.OutcomeReason}");
        var enaReplacement = deployment.Sim.World.Instance(record.Memo[Core.Plans.ReregisterAmi.AmiMemo.EnaReplacementInstanceId]);
        Assert.True(enaReplacement.EnaSupport);
        Assert.True(enaReplacement.IsReachable(deployment.Clock.GetUtcNow()));
        Assert.All(deployment.Sim.World.Instances, i => Assert.Equal(0,
            deployment.Sim.World.Counters["StopInstances", i.InstanceId] + deployment.Sim.World.Counters["RebootInstances", i.InstanceId] + deployment.Sim.World.Counters["TerminateInstances", i.InstanceId]));
    }

    [Fact]
    public async Task An_ebs_backed_instance_is_refused_untouched_and_bad_input_is_rejected()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var ebs = deployment.Sim.World.Instances[0].InstanceId;

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("register-ami"), new JsonObject { ["instanceIds"] = new JsonArray(ebs) });
        var rejected = await Assert.ThrowsAsync<LocalStateMachine.TaskFailure>(() => deployment.InvokeAsync(Deployment.FunctionArn("register-ami"),
            new JsonObject { ["instanceIds"] = new JsonArray(ebs), ["launchReplacement"] = "$(reboot)" }));

        Assert.Equal("nothing-to-run", answer["outcome"]!.GetValue<string>());
        Assert.Contains("EBS-backed", answer["instances"]![0]!["reason"]!.GetValue<string>());
        Assert.Contains("launchReplacement", rejected.Message);
        var noBucket = await Assert.ThrowsAsync<LocalStateMachine.TaskFailure>(() => deployment.InvokeAsync(Deployment.FunctionArn("register-ami"),
            new JsonObject { ["instanceIds"] = new JsonArray(ebs), ["launchReplacement"] = true, ["thenRemediate"] = true, ["bundleBucket"] = "Bad_Bucket;reboot" }));
        Assert.Contains("is not an S3 bucket name", noBucket.Message);
        Assert.Equal(0, deployment.Sim.World.Counters["StopInstances"] + deployment.Sim.World.Counters["RegisterImage"]);
    }
}
