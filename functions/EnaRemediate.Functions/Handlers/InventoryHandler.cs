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
/// anything needs attention (docs/inventory.md). It changes no instance itself; with the
/// deployment's auto-fix on (<paramref name="autoFix"/>) it sends the driver install to exactly
/// the opted-in instances this run judged at-risk-next-reboot (not in a dry run), records that in
/// the table and says so in the message.
/// </summary>
public sealed class InventoryHandler(
    FleetInventory inventory, LatestCollectRuns collectRuns, IInventoryStore store, IEc2Port ec2,
    TriggerNormaliser normaliser, FunctionSettings settings, TimeProvider time, InventoryAutoFix? autoFix = null) : IFunctionHandler
{
    /// <summary>The association runs daily: a collect result younger than this is the latest one.</summary>
    public static readonly TimeSpan ReuseResultsFor = TimeSpan.FromHours(26);

    public static InventoryHandler Create(FunctionServices services)
    {
        var (ec2Client, ssmClient) = EngineFactory.CreateClients(services.Connection);
        var ec2 = new Ec2Adapter(ec2Client);
        var ssm = new SsmAdapter(ssmClient);
        var fleet = new FleetAdapter(ec2Client, ssmClient);
        var engineOptions = services.Settings.EngineOptions();
        // With a bucket, the association's collect runs and the install's log are read in full past SSM's 24,000 characters.
        var output = services.Settings.OutputBucket is { } bucket
            ? new CommandOutputReader(new S3CommandOutput(ssmClient, S3CommandOutput.CreateClient(services.Connection)), bucket)
            : null;
        var inventorySettings = new InventorySettings { OptInTagKey = services.Settings.OptInTagKey, CollectDocument = engineOptions.CollectDocument, Output = output };
        var autoFix = services.Settings.InventoryAutoFix
            ? new InventoryAutoFix(new ReadinessFixer(ssm, services.Time, engineOptions) { Output = output }, services.Store)
            : null;
        return new InventoryHandler(new FleetInventory(fleet, ec2, ssm, inventorySettings), new LatestCollectRuns(fleet, ssm, inventorySettings),
            new DynamoInventoryStore(services.Dynamo, services.Settings.TableName, services.Settings.Retention),
            ec2, new TriggerNormaliser(RemediationMode.Diagnose), services.Settings, services.Time, autoFix);
    }

    public async Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var (ids, dryRun) = Read(invocation.Payload);
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
        AutoFixRun? fix = null;
        if (autoFix is not null)
        {
            fix = await autoFix.RunAsync(report, dryRun, cancellationToken);
            await store.SaveAutoFixAsync(fix, now, cancellationToken);
        }
        var attention = report.With(ReadinessVerdict.AtRiskNextReboot).Concat(report.With(ReadinessVerdict.BrokenNow)).Any();
        invocation.Log.Info("inventory", new { summary = report.Summary, autoFixSent = fix?.Sent.Count(r => r.CommandId is not null) });
        return JsonOutput.Write(new
        {
            anyAtRisk = attention,
            subject = InventoryMessage.Subject(report, fix),
            message = InventoryMessage.Body(report, now, fix),
            summary = report.Summary,
            atRisk = report.With(ReadinessVerdict.AtRiskNextReboot).Select(r => r.InstanceId),
            brokenNow = report.With(ReadinessVerdict.BrokenNow).Select(r => r.InstanceId),
            autoFix = fix is null ? null : new
            {
                dryRun = fix.DryRun,
                targets = fix.Targets,
                sent = fix.Sent.Select(r => new { instanceId = r.InstanceId, commandId = r.CommandId, problem = r.Problem }),
                skipped = fix.Skipped.Select(k => new { instanceId = k.InstanceId, reason = k.Reason }),
                problem = fix.Problem,
            },
        });
    }

    /// <summary>
    /// The schedule sends no instances (the opted-in fleet); the runbook sends instanceIds as
    /// intake reads them, so they are checked by the same rules (the mode is ours), and its dryRun.
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
            return (null, DryRunOf(root["dryRun"]));
        }
        root.Remove("mode");
        var decision = normaliser.Normalise(root.ToJsonString());
        return decision.Outcome == IntakeOutcome.Accepted
            ? (decision.Request!.InstanceIds, decision.Request.DryRun)
            : throw new InvalidRequestException(decision.Reason);
    }

    /// <summary>The schedule's dryRun: absent is false; anything but true or false is refused before anything is sent.</summary>
    private static bool DryRunOf(JsonNode? node) => node?.ToString().ToLowerInvariant() switch
    {
        null or "false" => false,
        "true" => true,
        var other => throw new InvalidRequestException($"dryRun must be true or false, not '{other}'."),
    };
}
