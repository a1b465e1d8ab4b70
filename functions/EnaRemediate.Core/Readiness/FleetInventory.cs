using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Readiness;

/// <summary>What an inventory run may be told: the collect document, how long to wait, whose tag opts an instance in.</summary>
public sealed record InventorySettings
{
    public string CollectDocument { get; init; } = "EnaRemediate-CollectHostReport";
    public string OptInTagKey { get; init; } = Triage.TriageRules.OptInTag;
    public bool OptInAll { get; init; }
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Where collect (and fix) commands write their full output, read when SSM cuts it; null: no bucket.</summary>
    public CommandOutputReader? Output { get; init; }
}

/// <summary>
/// The fleet-wide readiness inventory (docs/inventory.md), without its collection: finds the
/// instances, asks EC2 for their ENA settings and status checks and SSM which it manages, and
/// judges each with <see cref="ReadinessRules"/> from the host reports a collector brought
/// (<see cref="CollectNow"/> for the CLI, <see cref="LatestCollectRuns"/> for the read-only handler).
/// </summary>
public sealed class FleetInventory(IFleetPort fleet, IEc2Port ec2, ISsmPort ssm, InventorySettings settings)
{
    /// <summary>DescribeInstanceStatus accepts at most this many explicit instance ids.</summary>
    private const int StatusIdsPerCall = 100;

    public async Task<IReadOnlyList<Ec2Instance>> FindAsync(IReadOnlyList<TagFilter> tags, CancellationToken cancellationToken) =>
        (await fleet.FindInstancesAsync(tags, cancellationToken)).Where(i => i.State is not ("terminated" or "shutting-down")).ToList();

    /// <summary>EC2's and SSM's view of each instance: type support, status check, ping status, opt-in.</summary>
    public async Task<IReadOnlyList<InventoryInstance>> ObserveAsync(IReadOnlyList<Ec2Instance> instances, CancellationToken cancellationToken)
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
        return instances.Select(i => new InventoryInstance
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
    }

    /// <summary>The instances a host report can come from: running, and Online in SSM.</summary>
    public static IReadOnlyList<string> Reachable(IReadOnlyList<InventoryInstance> facts) =>
        facts.Where(f => f.State == "running" && f.PingStatus == "Online").Select(f => f.InstanceId).ToList();

    /// <param name="missing">Why a reachable instance has no output, when the collector may leave some out.</param>
    public static InventoryReport Judge(IReadOnlyList<InventoryInstance> facts, IReadOnlyDictionary<string, CommandOutcome> outputs, string? missing = null)
    {
        var reachable = Reachable(facts).ToHashSet(StringComparer.Ordinal);
        var rows = facts.Select(f =>
        {
            if (!outputs.TryGetValue(f.InstanceId, out var outcome))
            {
                return ReadinessRules.Judge(f, null, reachable.Contains(f.InstanceId) ? missing : null);
            }
            var (report, problem) = outcome.Invocation is { } invocation ? HostReportOutput.Read(invocation.StandardOutput) : (null, outcome.Problem);
            // Both when they differ: "SSM truncated the report" and why the bucket did not have it either.
            var reason = problem is null || outcome.Problem is null || problem == outcome.Problem ? problem ?? outcome.Problem : $"{problem}; {outcome.Problem}";
            return ReadinessRules.Judge(f, report, reason);
        });
        return new InventoryReport(rows.OrderBy(r => r.Verdict).ThenBy(r => r.InstanceId, StringComparer.Ordinal).ToList());
    }
}

/// <summary>The CLI's collector: SSM runs the collect document on the instances now, 50 per command.</summary>
public sealed class CollectNow(ISsmPort ssm, TimeProvider time, InventorySettings settings)
{
    public Task<IReadOnlyDictionary<string, CommandOutcome>> CollectAsync(IReadOnlyList<string> instanceIds, IProgress<CommandProgress>? progress, CancellationToken cancellationToken) =>
        new CommandBatch(ssm, time) { PollEvery = settings.PollEvery, Timeout = settings.CommandTimeout, Output = settings.Output }
            .RunAsync(settings.CollectDocument, DocumentSteps.CollectHostReport, instanceIds, new Dictionary<string, IReadOnlyList<string>>(), "EnaRemediate readiness inventory", progress, cancellationToken);
}

/// <summary>
/// The scheduled handler's collector, which sends nothing: each instance's latest successful run
/// of the collect document since a moment (the daily State Manager association's), read through
/// ListCommandInvocations and GetCommandInvocation, in full from the output bucket when SSM cut it.
/// </summary>
public sealed class LatestCollectRuns(IFleetPort fleet, ISsmPort ssm, InventorySettings settings)
{
    public async Task<IReadOnlyDictionary<string, CommandOutcome>> ReadAsync(IReadOnlyList<string> instanceIds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, CommandOutcome>(StringComparer.Ordinal);
        var wanted = instanceIds.ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return outcomes;
        }
        var recent = await fleet.ListRecentInvocationsAsync(settings.CollectDocument, since, cancellationToken);
        foreach (var latest in recent.Where(r => r.Status == "Success" && wanted.Contains(r.InstanceId))
                     .GroupBy(r => r.InstanceId).Select(g => g.MaxBy(r => r.RequestedAt)!))
        {
            if ((latest.Result ?? await ssm.GetCommandInvocationAsync(latest.CommandId, latest.InstanceId, cancellationToken)) is { Succeeded: true } invocation)
            {
                // The association writes its full output to the deployment's bucket too (template.yaml OutputLocation).
                var (full, problem) = await CommandOutputReader.FullOutputAsync(settings.Output, invocation, latest.CommandId, latest.InstanceId, DocumentSteps.CollectHostReport, cancellationToken);
                outcomes[latest.InstanceId] = new CommandOutcome(full, problem);
            }
        }
        return outcomes;
    }
}
