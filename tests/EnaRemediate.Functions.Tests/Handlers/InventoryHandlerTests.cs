using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Aws.Inventory;
using EnaRemediate.Functions.Handlers;
using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Tests.EndToEnd;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Handlers;

/// <summary>
/// The inventory handler on the simulator's pending-kernel-update fleet and dynalite: the
/// scheduled run through the workflow (one SNS message naming every at-risk instance), reuse of
/// the daily association's collect runs, the items in the table, auto-fix, and the runbook's
/// Mode=inventory with bad input.
/// </summary>
public sealed class InventoryHandlerTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    private static readonly JsonNode Scheduled = JsonNode.Parse("""{"source":"enaremediate.inventory","mode":"inventory"}""")!;

    /// <summary>The handler waits for SSM on the simulator's fake clock: keep that clock moving while it works.</summary>
    private static async Task<T> WhileTimePasses<T>(Deployment deployment, Func<Task<T>> work)
    {
        var task = work();
        while (!task.IsCompleted)
        {
            deployment.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }
        return await task;
    }

    private static string[] Group(Deployment deployment, string group) =>
        deployment.Sim.World.Instances.Where(i => i.Tags["Name"].StartsWith(group + "-", StringComparison.Ordinal)).Select(i => i.InstanceId).ToArray();

    [Fact]
    public async Task The_scheduled_run_publishes_one_message_naming_every_at_risk_instance_and_no_ready_one()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update");

        var run = await WhileTimePasses(deployment, () => deployment.Workflow().RunAsync(Scheduled));

        Assert.True(run.Status == "SUCCEEDED", $"{run.Status} {run.Error} {run.Cause}");
        Assert.Equal(["Route", "Inventory", "InventoryNeedsAttention", "NotifyInventory", "InventoryDone"], run.Visited);
        var sns = Assert.Single(run.SnsMessages);
        var message = sns["Message"]!.GetValue<string>();
        Assert.StartsWith("EnaRemediate inventory: 4 at risk, 1 broken now (of 8)", sns["Subject"]!.GetValue<string>());
        foreach (var id in Group(deployment, "at-risk-no-ena").Concat(Group(deployment, "at-risk-no-headers")).Concat(Group(deployment, "broken-now")))
        {
            Assert.Contains(id, message);
        }
        foreach (var id in Group(deployment, "ready-dkms").Concat(Group(deployment, "ready-in-tree")).Concat(Group(deployment, "control-at-risk-not-opted-in")))
        {
            Assert.DoesNotContain(id, message); // ready ones are not news; the not-opted-in control is not the deployment's fleet
        }
        Assert.Contains("fix: enaremediate inventory --fix", message);
        Assert.Contains("Auto-fix: nothing installed", message);

        // The latest row per instance is in the table, beside the remediation records.
        var noEna = Group(deployment, "at-risk-no-ena")[0];
        var item = (await dynalite.Client.GetItemAsync(new GetItemRequest
        {
            TableName = deployment.Services.Settings.TableName,
            Key = new() { ["pk"] = new() { S = DynamoInventoryStore.InstanceKey(noEna) }, ["sk"] = new() { S = DynamoInventoryStore.LatestSortKey } },
        })).Item;
        Assert.Equal("at-risk-next-reboot", item["verdict"].S);
        Assert.Equal("6.1.0-57-amd64", JsonNode.Parse(item["body"].S)!["nextKernel"]!.GetValue<string>());
        Assert.Null(await deployment.Services.Store.GetLatestAsync(noEna)); // no remediation record was made
    }

    [Fact]
    public async Task A_recent_collect_run_of_the_association_is_reused_instead_of_collecting_again()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update");
        using var ssm = new AmazonSimpleSystemsManagementClient(new BasicAWSCredentials("test", "test"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = deployment.Sim.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var online = (await ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest())).InstanceInformationList
            .Where(i => i.PingStatus == PingStatus.Online && deployment.Sim.World.Instance(i.InstanceId).Tags.ContainsKey("EnaRemediate:OptIn"))
            .Select(i => i.InstanceId).ToList();
        // What the State Manager association does once a day.
        await ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = online });
        deployment.Clock.Advance(TimeSpan.FromMinutes(5));
        var sent = deployment.Sim.World.Counters["SendCommand"];

        var answer = await WhileTimePasses(deployment, () => deployment.InvokeAsync(Deployment.FunctionArn("inventory"), Scheduled));

        Assert.Equal(sent, deployment.Sim.World.Counters["SendCommand"]);
        Assert.Equal(4, answer["summary"]!["at-risk-next-reboot"]!.GetValue<int>());
        Assert.Equal(2, answer["summary"]!["ready"]!.GetValue<int>());
    }

    [Fact]
    public async Task Auto_fix_installs_the_driver_on_the_at_risk_opted_in_instances_and_they_survive_a_reboot()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update");
        var settings = deployment.Services.Settings with { Handler = "inventory", InventoryAutoFix = true };
        var handler = HandlerCatalog.Create(new FunctionServices(settings, deployment.Clock, new BasicAWSCredentials("test", "test"), dynalite.Client));
        var invocation = new LambdaInvocation("req-1", deployment.Clock.GetUtcNow().AddMinutes(15), Deployment.FunctionArn("inventory"), null,
            Scheduled.ToJsonString(), new StructuredLog(TextWriter.Null, deployment.Clock));

        var answer = JsonNode.Parse(await WhileTimePasses(deployment, () => handler.HandleAsync(invocation, CancellationToken.None)))!;

        var atRisk = Group(deployment, "at-risk-no-ena").Concat(Group(deployment, "at-risk-no-headers")).Order().ToArray();
        Assert.Equal(atRisk, answer["fixed"]!.AsArray().Select(n => n!.GetValue<string>()).Order());
        Assert.Equal(0, answer["summary"]!["at-risk-next-reboot"]!.GetValue<int>());
        Assert.Contains($"installed on {atRisk.Length} instance(s)", answer["message"]!.GetValue<string>());
        foreach (var id in atRisk)
        {
            deployment.Sim.World.Reboot(id);
        }
        deployment.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.All(atRisk, id => Assert.True(deployment.Sim.World.Instance(id).IsReachable(deployment.Clock.GetUtcNow()), id));
        Assert.Equal(0, deployment.Sim.World.Counters["StopInstances"]);
    }

    [Fact]
    public async Task The_runbook_mode_inventory_judges_the_named_instances_and_rejects_bad_ids_untouched()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update");
        var ready = Group(deployment, "ready-dkms")[0];
        var runbook = new JsonObject { ["source"] = "enaremediate.runbook", ["instanceIds"] = ready, ["mode"] = "inventory", ["dryRun"] = "true" };

        var run = await WhileTimePasses(deployment, () => deployment.Workflow().RunAsync(runbook));

        Assert.True(run.Status == "SUCCEEDED", $"{run.Status} {run.Error} {run.Cause}");
        Assert.Equal(["Route", "Inventory", "InventoryNeedsAttention", "InventoryDone"], run.Visited);
        Assert.Empty(run.SnsMessages);
        Assert.Equal(1, run.Output!["summary"]!["ready"]!.GetValue<int>());

        // A runbook instance that is not opted in is not collected from (IAM would refuse it): judged from EC2 and SSM only.
        var control = Group(deployment, "control-at-risk-not-opted-in")[0];
        var notOptedIn = await WhileTimePasses(deployment, () => deployment.InvokeAsync(Deployment.FunctionArn("inventory"),
            new JsonObject { ["source"] = "enaremediate.runbook", ["instanceIds"] = $"{control},{ready}", ["mode"] = "inventory" }));
        Assert.Equal((1, 1), (notOptedIn["summary"]!["not-managed"]!.GetValue<int>(), notOptedIn["summary"]!["ready"]!.GetValue<int>()));

        var hostile = new JsonObject { ["source"] = "enaremediate.runbook", ["instanceIds"] = "i-1;reboot", ["mode"] = "inventory" };
        var before = deployment.Sim.World.Counters.Total;
        var rejected = await deployment.Workflow().RunAsync(hostile);
        Assert.Equal(("FAILED", "InvalidRequest"), (rejected.Status, rejected.Error));
        Assert.Equal(before, deployment.Sim.World.Counters.Total);
    }
}
