using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Readiness;

/// <summary>What an inventory run may be told: the collect document, how long to wait, whose tag opts an instance in.</summary>
public sealed record InventorySettings
{
    public string CollectDocument { get; init; } = "EnaRemediate-CollectHostReport";
    public string OptInTagKey { get; init; } = Triage.TriageRules.OptInTag;
    public bool OptInAll { get; init; }
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Collect only from opted-in instances (the deployment's IAM allows SendCommand on those only); others are judged from EC2 and SSM.</summary>
    public bool CollectOptedInOnly { get; init; }
}

/// <summary>
/// The fleet-wide readiness inventory (docs/inventory.md): finds the instances, asks EC2 for their
/// ENA settings and status checks and SSM which it manages, collects a host report from every
/// managed running one (or reuses a recent one, as the scheduled handler does with the daily
/// association's runs), and judges each with <see cref="ReadinessRules"/>.
/// </summary>
public sealed class FleetInventory(IFleetPort fleet, IEc2Port ec2, ISsmPort ssm, TimeProvider time, InventorySettings settings)
{
    /// <summary>DescribeInstanceStatus accepts at most this many explicit instance ids.</summary>
    private const int StatusIdsPerCall = 100;

    public async Task<IReadOnlyList<Ec2Instance>> FindAsync(IReadOnlyList<TagFilter> tags, CancellationToken cancellationToken) =>
        (await fleet.FindInstancesAsync(tags, cancellationToken)).Where(i => i.State is not ("terminated" or "shutting-down")).ToList();

    /// <param name="reuseSince">Reuse a successful collect run requested since then instead of sending a new one; null always collects.</param>
    public async Task<InventoryReport> RunAsync(IReadOnlyList<Ec2Instance> instances, DateTimeOffset? reuseSince, IProgress<CommandProgress>? progress, CancellationToken cancellationToken)
    {
        var ids = instances.Select(i => i.InstanceId).ToList();
        var typeSupport = instances.Count == 0
            ? new Dictionary<string, string>()
            : await ec2.DescribeTypeEnaSupportAsync(instances.Select(i => i.InstanceType).OfType<string>().Distinct().ToList(), cancellationToken);
        var statuses = new Dictionary<string, Ec2StatusChecks>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(StatusIdsPerCall))
        {
            foreach (var (id, status) in await ec2.DescribeInstanceStatusAsync(chunk, cancellationToken))
            {
                statuses[id] = status;
            }
        }
        var pings = ids.Count == 0 ? new Dictionary<string, string>() : await ssm.DescribePingStatusAsync(ids, cancellationToken);
        var facts = instances.Select(i => new InventoryInstance
        {
            InstanceId = i.InstanceId,
            InstanceType = i.InstanceType,
            State = i.State,
            EnaSupport = i.EnaSupport,
            TypeEnaSupport = i.InstanceType is { } t && typeSupport.TryGetValue(t, out var s) ? s : null,
            InstanceStatus = statuses.TryGetValue(i.InstanceId, out var c) ? c.InstanceStatus : null,
            PingStatus = pings.TryGetValue(i.InstanceId, out var p) ? p : null,
            OptedIn = settings.OptInAll || i.Tags.TryGetValue(settings.OptInTagKey, out var v) && string.Equals(v, "true", StringComparison.OrdinalIgnoreCase),
        }).ToList();

        var online = facts.Where(f => f.State == "running" && f.PingStatus == "Online").ToList();
        var collected = online.Where(f => f.OptedIn || !settings.CollectOptedInOnly).Select(f => f.InstanceId).ToList();
        var outputs = await CollectAsync(collected, reuseSince, progress, cancellationToken);
        var notCollected = $"not opted in (tag {settings.OptInTagKey}=true): host reports are collected from opted-in instances only";
        var rows = facts.Select(f =>
        {
            if (!outputs.TryGetValue(f.InstanceId, out var outcome))
            {
                return ReadinessRules.Judge(f, null, online.Contains(f) ? notCollected : null);
            }
            var (report, problem) = outcome.Invocation is { } invocation ? HostReportOutput.Read(invocation.StandardOutput) : (null, outcome.Problem);
            return ReadinessRules.Judge(f, report, problem ?? outcome.Problem);
        });
        return new InventoryReport(rows.OrderBy(r => r.Verdict).ThenBy(r => r.InstanceId, StringComparer.Ordinal).ToList());
    }

    private async Task<IReadOnlyDictionary<string, CommandOutcome>> CollectAsync(IReadOnlyList<string> online, DateTimeOffset? reuseSince, IProgress<CommandProgress>? progress, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, CommandOutcome>(StringComparer.Ordinal);
        if (reuseSince is { } since && online.Count > 0)
        {
            var wanted = online.ToHashSet(StringComparer.Ordinal);
            var recent = await fleet.ListRecentInvocationsAsync(settings.CollectDocument, since, cancellationToken);
            foreach (var latest in recent.Where(r => r.Status == "Success" && wanted.Contains(r.InstanceId))
                         .GroupBy(r => r.InstanceId).Select(g => g.MaxBy(r => r.RequestedAt)!))
            {
                if (await ssm.GetCommandInvocationAsync(latest.CommandId, latest.InstanceId, cancellationToken) is { Succeeded: true } invocation)
                {
                    outcomes[latest.InstanceId] = new CommandOutcome(invocation, null);
                }
            }
        }
        var missing = online.Where(id => !outcomes.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            var batch = new CommandBatch(ssm, time) { PollEvery = settings.PollEvery, Timeout = settings.CommandTimeout };
            foreach (var (id, outcome) in await batch.RunAsync(settings.CollectDocument, missing, new Dictionary<string, IReadOnlyList<string>>(),
                         "EnaRemediate readiness inventory", progress, cancellationToken))
            {
                outcomes[id] = outcome;
            }
        }
        return outcomes;
    }
}
