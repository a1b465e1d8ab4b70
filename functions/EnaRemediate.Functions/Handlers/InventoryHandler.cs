using System.Text.Json;
using System.Text.Json.Nodes;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Aws.Inventory;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Readiness;
using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Intake;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// inventory (the daily schedule, or the runbook's Mode=inventory through the workflow): judges
/// the opted-in fleet (or the runbook's instances) from the daily State Manager association's
/// collect runs, saves the latest row per instance and the run's counts in the table, and returns
/// one readable message for the whole run, which the workflow publishes to the SNS topic when
/// anything needs attention (docs/inventory.md). Read-only: it sends no command and changes no
/// instance; fixing is `enaremediate inventory --fix` or the deployment's auto-fix association.
/// </summary>
public sealed class InventoryHandler(
    FleetInventory inventory, LatestCollectRuns collectRuns, IInventoryStore store, IEc2Port ec2,
    TriggerNormaliser normaliser, FunctionSettings settings, TimeProvider time) : IFunctionHandler
{
    /// <summary>The association runs daily: a collect result younger than this is the latest one.</summary>
    public static readonly TimeSpan ReuseResultsFor = TimeSpan.FromHours(26);

    public static InventoryHandler Create(FunctionServices services)
    {
        var (ec2Client, ssmClient) = EngineFactory.CreateClients(services.Connection);
        var ec2 = new Ec2Adapter(ec2Client);
        var ssm = new SsmAdapter(ssmClient);
        var fleet = new FleetAdapter(ec2Client, ssmClient);
        var inventorySettings = new InventorySettings { OptInTagKey = services.Settings.OptInTagKey, CollectDocument = services.Settings.EngineOptions().CollectDocument };
        return new InventoryHandler(new FleetInventory(fleet, ec2, ssm, inventorySettings), new LatestCollectRuns(fleet, ssm, inventorySettings),
            new DynamoInventoryStore(services.Dynamo, services.Settings.TableName, services.Settings.Retention),
            ec2, new TriggerNormaliser(RemediationMode.Diagnose), services.Settings, services.Time);
    }

    public async Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var ids = Read(invocation.Payload);
        var instances = ids is null
            ? await inventory.FindAsync([new TagFilter(settings.OptInTagKey, "true")], cancellationToken)
            : await ec2.DescribeInstancesAsync(ids, cancellationToken);
        var now = time.GetUtcNow();
        var since = now - ReuseResultsFor;
        var facts = await inventory.ObserveAsync(instances, cancellationToken);
        var runs = await collectRuns.ReadAsync(FleetInventory.Reachable(facts), since, cancellationToken);
        var report = FleetInventory.Judge(facts, runs,
            $"no successful EnaRemediate-CollectHostReport run since {since.UtcDateTime:u}: the daily association has not reached it yet (it runs on instances tagged {settings.OptInTagKey}=true), or its run failed");

        await store.SaveAsync(report, now, cancellationToken);
        var attention = report.With(ReadinessVerdict.AtRiskNextReboot).Concat(report.With(ReadinessVerdict.BrokenNow)).Any();
        invocation.Log.Info("inventory", new { summary = report.Summary });
        return JsonOutput.Write(new
        {
            anyAtRisk = attention,
            subject = InventoryMessage.Subject(report),
            message = InventoryMessage.Body(report, now),
            summary = report.Summary,
            atRisk = report.With(ReadinessVerdict.AtRiskNextReboot).Select(r => r.InstanceId),
            brokenNow = report.With(ReadinessVerdict.BrokenNow).Select(r => r.InstanceId),
        });
    }

    /// <summary>
    /// The schedule sends no instances (the opted-in fleet); the runbook sends instanceIds as
    /// intake reads them, so they are checked by the same rules (the mode is ours).
    /// </summary>
    private IReadOnlyList<string>? Read(string payload)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(payload) as JsonObject ?? throw new InvalidRequestException("the inventory event must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"the inventory event is not JSON: {e.Message}");
        }
        if (root["instanceIds"] is null)
        {
            return null;
        }
        root.Remove("mode");
        var decision = normaliser.Normalise(root.ToJsonString());
        return decision.Outcome == IntakeOutcome.Accepted ? decision.Request!.InstanceIds : throw new InvalidRequestException(decision.Reason);
    }
}
