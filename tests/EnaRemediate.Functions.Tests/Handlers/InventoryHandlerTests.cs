using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Aws.Inventory;
using EnaRemediate.Functions.Tests.EndToEnd;
using EnaRemediate.Functions.Handlers;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Handlers;

/// <summary>
/// The inventory handler on the simulator's pending-kernel-update fleet and dynalite: the daily
/// association's collect runs (sent here through the real SDK, as State Manager would), then the
/// scheduled run through the workflow (one SNS message naming every at-risk instance), the items
/// in the table, instances the association has not reached, and the runbook's Mode=inventory.
/// </summary>
public sealed class InventoryHandlerTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    private static readonly JsonNode Scheduled = JsonNode.Parse("""{"source":"enaremediate.inventory","mode":"inventory"}""")!;

    private static string[] Group(Deployment deployment, string group) =>
        deployment.Sim.World.Instances.Where(i => i.Tags["Name"].StartsWith(group + "-", StringComparison.Ordinal)).Select(i => i.InstanceId).ToArray();

    /// <summary>What the State Manager association does once a day: the collect document on the online opted-in instances.</summary>
    private static async Task<List<string>> AssociationRunAsync(Deployment deployment, Func<string, bool>? only = null, (string Bucket, string Prefix)? output = null)
    {
        using var ssm = new AmazonSimpleSystemsManagementClient(new BasicAWSCredentials("test", "test"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = deployment.Sim.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var targets = (await ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest())).InstanceInformationList
            .Where(i => i.PingStatus == PingStatus.Online && deployment.Sim.World.Instance(i.InstanceId).Tags.ContainsKey("EnaRemediate:OptIn"))
            .Select(i => i.InstanceId).Where(only ?? (_ => true)).ToList();
        await ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = targets,
            OutputS3BucketName = output?.Bucket, OutputS3KeyPrefix = output?.Prefix,
        });
        deployment.Clock.Advance(TimeSpan.FromMinutes(5));
        return targets;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_report_longer_than_ssm_returns_is_read_from_the_associations_output_bucket(bool withBucket)
    {
        const string bucket = "enaremediate-outputs";
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update",
            environment: withBucket ? new Dictionary<string, string?> { [FunctionSettings.OutputBucketVariable] = bucket } : null);
        var host = Group(deployment, "at-risk-no-ena")[0];
        deployment.Sim.World.Faults.For(host).OutputOverrides["EnaRemediate-CollectHostReport"] = HugeHostReport.Json();
        using var s3 = new Amazon.S3.AmazonS3Client(new BasicAWSCredentials("test", "test"),
            new Amazon.S3.AmazonS3Config { ServiceURL = deployment.Sim.Endpoint.ToString(), AuthenticationRegion = "us-east-1", ForcePathStyle = true });
        await s3.PutBucketAsync(new Amazon.S3.Model.PutBucketRequest { BucketName = bucket });
        // The association as template.yaml defines it: its OutputLocation is the deployment's bucket.
        await AssociationRunAsync(deployment, output: (bucket, "enaremediate/command-output"));

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("inventory"), Scheduled);

        var atRisk = answer["atRisk"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(withBucket, atRisk.Contains(host));
        Assert.Equal(withBucket ? 1 : 0, deployment.Sim.World.Counters["GetObject"]); // only the cut report is fetched
    }

    [Fact]
    public async Task The_scheduled_run_publishes_one_message_naming_every_at_risk_instance_and_no_ready_one()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update");
        await AssociationRunAsync(deployment);
        var sent = deployment.Sim.World.Counters["SendCommand"];

        var run = await deployment.Workflow().RunAsync(Scheduled);

        Assert.True(run.Status == "SUCCEEDED", $"{run.Status} {run.Error} {run.Cause}");
        Assert.Equal(["Route", "Inventory", "InventoryNeedsAttention", "NotifyInventory", "InventoryDone"], run.Visited);
        Assert.Equal(sent, deployment.Sim.World.Counters["SendCommand"]); // read-only: the association's runs are read, nothing is sent
        var sns = Assert.Single(run.SnsMessages);
        var message = sns["Message"]!.GetValue<string>();
        Assert.Equal("EnaRemediate inventory: 4 at risk, 1 broken now (of 8)", sns["Subject"]!.GetValue<string>());
        foreach (var id in Group(deployment, "at-risk-no-ena").Concat(Group(deployment, "at-risk-no-headers")).Concat(Group(deployment, "broken-now")))
        {
            Assert.Contains(id, message);
        }
        foreach (var id in Group(deployment, "ready-dkms").Concat(Group(deployment, "ready-in-tree")).Concat(Group(deployment, "control-at-risk-not-opted-in")))
        {
            Assert.DoesNotContain(id, message); // ready ones are not news; the not-opted-in control is not the deployment's fleet
        }
        Assert.Contains("fix: enaremediate inventory --fix", message);

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
    public async Task An_instance_the_association_has_not_reached_is_not_managed_with_the_reason_and_nothing_is_sent()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update");
        var missed = Group(deployment, "at-risk-no-ena")[0];
        await AssociationRunAsync(deployment, id => id != missed);
        var sent = deployment.Sim.World.Counters["SendCommand"];

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("inventory"), Scheduled);

        Assert.Equal(sent, deployment.Sim.World.Counters["SendCommand"]);
        Assert.Equal(3, answer["summary"]!["at-risk-next-reboot"]!.GetValue<int>());
        Assert.Equal(2, answer["summary"]!["not-managed"]!.GetValue<int>()); // the one without SSM agent, and the missed one
        Assert.DoesNotContain(missed, answer["atRisk"]!.AsArray().Select(n => n!.GetValue<string>()));

        // A day and more later the runs are stale: nothing is judged from them.
        deployment.Clock.Advance(TimeSpan.FromHours(27));
        var stale = await deployment.InvokeAsync(Deployment.FunctionArn("inventory"), Scheduled);
        Assert.Equal(0, stale["summary"]!["at-risk-next-reboot"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_runbook_mode_inventory_judges_the_named_instances_and_rejects_bad_ids_untouched()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update");
        await AssociationRunAsync(deployment);
        var ready = Group(deployment, "ready-dkms")[0];
        var runbook = new JsonObject { ["source"] = "enaremediate.runbook", ["instanceIds"] = ready, ["mode"] = "inventory", ["dryRun"] = "true" };

        var run = await deployment.Workflow().RunAsync(runbook);

        Assert.True(run.Status == "SUCCEEDED", $"{run.Status} {run.Error} {run.Cause}");
        Assert.Equal(["Route", "Inventory", "InventoryNeedsAttention", "InventoryDone"], run.Visited);
        Assert.Empty(run.SnsMessages);
        Assert.Equal((1, 1), (run.Output!["summary"]!["total"]!.GetValue<int>(), run.Output!["summary"]!["ready"]!.GetValue<int>()));

        var hostile = new JsonObject { ["source"] = "enaremediate.runbook", ["instanceIds"] = "i-1;reboot", ["mode"] = "inventory" };
        var before = deployment.Sim.World.Counters.Total;
        var rejected = await deployment.Workflow().RunAsync(hostile);
        Assert.Equal(("FAILED", "InvalidRequest"), (rejected.Status, rejected.Error));
        Assert.Equal(before, deployment.Sim.World.Counters.Total);
    }

    private static readonly Dictionary<string, string?> AutoFixOn = new() { [FunctionSettings.InventoryAutoFixVariable] = "true" };

    /// <summary>The instances EnaRemediate-InstallDriver was sent to (after SSM's listing delay).</summary>
    private static async Task<List<string>> InstallTargetsAsync(Deployment deployment)
    {
        deployment.Clock.Advance(TimeSpan.FromSeconds(30));
        using var ssm = new AmazonSimpleSystemsManagementClient(new BasicAWSCredentials("test", "test"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = deployment.Sim.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var invocations = await ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest
        {
            Filters = [new CommandFilter { Key = CommandFilterKey.DocumentName, Value = "EnaRemediate-InstallDriver" }],
        });
        return (invocations.CommandInvocations ?? []).Select(i => i.InstanceId).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task With_auto_fix_the_run_installs_on_exactly_the_at_risk_opted_in_instances_records_it_and_says_so()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update", environment: AutoFixOn);
        await AssociationRunAsync(deployment);
        var atRisk = Group(deployment, "at-risk-no-ena").Concat(Group(deployment, "at-risk-no-headers")).Order(StringComparer.Ordinal).ToList();

        var run = await deployment.Workflow().RunAsync(Scheduled);

        Assert.True(run.Status == "SUCCEEDED", $"{run.Status} {run.Error} {run.Cause}");
        Assert.Equal(atRisk, await InstallTargetsAsync(deployment)); // not the ready or broken-now ones
        var sns = Assert.Single(run.SnsMessages);
        Assert.Equal($"EnaRemediate inventory: 4 at risk, 1 broken now (of 8); driver install sent to {atRisk.Count}", sns["Subject"]!.GetValue<string>());
        var message = sns["Message"]!.GetValue<string>();
        Assert.Contains("Auto-fix: EnaRemediate-InstallDriver", message);
        Assert.All(atRisk, id => Assert.Contains($"  {id}: command ", message));

        // The table has the run's auto-fix: what was sent to whom.
        var items = await dynalite.Client.QueryAsync(new QueryRequest
        {
            TableName = deployment.Services.Settings.TableName,
            KeyConditionExpression = "pk = :p",
            ExpressionAttributeValues = new() { [":p"] = new() { S = DynamoInventoryStore.AutoFixPartitionKey } },
        });
        var recorded = JsonNode.Parse(Assert.Single(items.Items)["body"].S)!;
        Assert.Equal(atRisk, recorded["targets"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(atRisk, recorded["sent"]!.AsArray().Select(r => r!["instanceId"]!.GetValue<string>()));
        Assert.All(recorded["sent"]!.AsArray(), r => Assert.False(string.IsNullOrEmpty(r!["commandId"]!.GetValue<string>())));
        Assert.False(recorded["dryRun"]!.GetValue<bool>());

        // The installs finish on the hosts; the next day's collect and run find them ready and send nothing more.
        deployment.Clock.Advance(TimeSpan.FromMinutes(45));
        await AssociationRunAsync(deployment);
        var next = await deployment.InvokeAsync(Deployment.FunctionArn("inventory"), Scheduled);
        var stillAtRisk = next["atRisk"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Empty(stillAtRisk.Intersect(atRisk));
        Assert.Empty(next["autoFix"]!["sent"]!.AsArray());
        Assert.Equal(atRisk, await InstallTargetsAsync(deployment));
    }

    [Fact]
    public async Task With_auto_fix_the_runbooks_dry_run_plans_and_sends_nothing()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update", environment: AutoFixOn);
        await AssociationRunAsync(deployment);
        var atRisk = Group(deployment, "at-risk-no-ena")[0];
        var ready = Group(deployment, "ready-dkms")[0];
        var runbook = new JsonObject { ["source"] = "enaremediate.runbook", ["instanceIds"] = $"{atRisk},{ready}", ["mode"] = "inventory", ["dryRun"] = "true" };

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("inventory"), runbook);

        Assert.Empty(await InstallTargetsAsync(deployment));
        var fix = answer["autoFix"]!;
        Assert.True(fix["dryRun"]!.GetValue<bool>());
        Assert.Equal([atRisk], fix["targets"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Empty(fix["sent"]!.AsArray());
        Assert.Contains($"Auto-fix (dry run, nothing sent): would install the managed ENA driver on 1 at-risk opted-in instance(s): {atRisk}", answer["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_auto_fix_nothing_is_sent_and_the_answer_has_no_auto_fix()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "pending-kernel-update");
        await AssociationRunAsync(deployment);

        var answer = await deployment.InvokeAsync(Deployment.FunctionArn("inventory"), Scheduled);

        Assert.Empty(await InstallTargetsAsync(deployment));
        Assert.Null(answer["autoFix"]);
    }
}
