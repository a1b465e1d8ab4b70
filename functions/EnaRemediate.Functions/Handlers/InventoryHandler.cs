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
/// the opted-in fleet (or the runbook's instances) from the daily association's collect runs,
/// collecting afresh where none is recent; saves the latest row per instance and the run's counts
/// in the table; with auto-fix on, installs the driver on the at-risk opted-in instances and
/// judges them again. It returns one readable message for the whole run, which the workflow
/// publishes to the SNS topic when anything needs attention (docs/inventory.md).
/// </summary>
public sealed class InventoryHandler(
    FleetInventory inventory, ReadinessFixer fixer, IInventoryStore inventoryStore, IRemediationStore records,
    IEc2Port ec2, TriggerNormaliser normaliser, FunctionSettings settings, TimeProvider time) : IFunctionHandler
{
    /// <summary>The association runs daily: a collect result younger than this is the latest one.</summary>
    public static readonly TimeSpan ReuseResultsFor = TimeSpan.FromHours(26);

    public static InventoryHandler Create(FunctionServices services)
    {
        var (ec2Client, ssmClient) = EngineFactory.CreateClients(services.Connection);
        var ec2 = new Ec2Adapter(ec2Client);
        var ssm = new SsmAdapter(ssmClient);
        var options = services.Settings.EngineOptions();
        // Collect, install, collect again: 3 + 7 + 3 minutes stay inside the function's 900 s timeout (template.yaml).
        var inventory = new FleetInventory(new FleetAdapter(ec2Client, ssmClient), ec2, ssm, services.Time,
            new InventorySettings { OptInTagKey = services.Settings.OptInTagKey, CollectDocument = options.CollectDocument, CommandTimeout = TimeSpan.FromMinutes(3), CollectOptedInOnly = true });
        var fixer = new ReadinessFixer(ssm, services.Time, options) { Timeout = TimeSpan.FromMinutes(7) };
        return new InventoryHandler(inventory, fixer, new DynamoInventoryStore(services.Dynamo, services.Settings.TableName, services.Settings.Retention),
            services.Store, ec2, new TriggerNormaliser(RemediationMode.Diagnose), services.Settings, services.Time);
    }

    public async Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var (ids, dryRun) = Read(invocation.Payload);
        var instances = ids is null
            ? await inventory.FindAsync([new TagFilter(settings.OptInTagKey, "true")], cancellationToken)
            : await ec2.DescribeInstancesAsync(ids, cancellationToken);
        var now = time.GetUtcNow();
        var report = await inventory.RunAsync(instances, now - ReuseResultsFor, null, cancellationToken);

        var fixesSent = new List<string>();
        if (settings.InventoryAutoFix && !dryRun && report.With(ReadinessVerdict.AtRiskNextReboot).Any())
        {
            var plan = await fixer.PlanAsync(report, records, cancellationToken);
            invocation.Log.Info("inventory auto-fix", new { plan.Targets, skipped = plan.Skipped, plan.Problem });
            if (plan.CanRun)
            {
                var outcomes = await fixer.ApplyAsync(plan, null, cancellationToken);
                fixesSent.AddRange(outcomes.Where(o => o.Value.Problem is null).Select(o => o.Key));
                var again = await inventory.RunAsync(instances.Where(i => plan.Targets.Contains(i.InstanceId)).ToList(), null, null, cancellationToken);
                report = new InventoryReport(report.Instances.Select(r => again.Instances.FirstOrDefault(a => a.InstanceId == r.InstanceId) ?? r)
                    .OrderBy(r => r.Verdict).ThenBy(r => r.InstanceId, StringComparer.Ordinal).ToList());
            }
        }

        await inventoryStore.SaveAsync(report, now, cancellationToken);
        var attention = report.With(ReadinessVerdict.AtRiskNextReboot).Concat(report.With(ReadinessVerdict.BrokenNow)).Any();
        invocation.Log.Info("inventory", new { summary = report.Summary, fixesSent });
        return JsonOutput.Write(new
        {
            anyAtRisk = attention,
            subject = InventoryMessage.Subject(report),
            message = InventoryMessage.Body(report, now, fixesSent),
            summary = report.Summary,
            atRisk = report.With(ReadinessVerdict.AtRiskNextReboot).Select(r => r.InstanceId),
            brokenNow = report.With(ReadinessVerdict.BrokenNow).Select(r => r.InstanceId),
            @fixed = fixesSent,
        });
    }

    /// <summary>
    /// The schedule sends no instances (the opted-in fleet); the runbook sends instanceIds and
    /// dryRun as intake reads them, so they are checked by the same rules (the mode is ours).
    /// </summary>
    private (IReadOnlyList<string>? Ids, bool DryRun) Read(string payload)
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
            return (null, false);
        }
        root.Remove("mode");
        var decision = normaliser.Normalise(root.ToJsonString());
        return decision.Outcome == IntakeOutcome.Accepted
            ? (decision.Request!.InstanceIds, decision.Request.DryRun)
            : throw new InvalidRequestException(decision.Reason);
    }
}
