using System.Globalization;
using System.Xml.Linq;
using EnaRemediate.Simulator.World;
using static EnaRemediate.Simulator.Ec2.Ec2Xml;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>DescribeInstanceStatus: the system check (AWS's side) and the instance check (the guest's reachability).</summary>
internal static class StatusActions
{
    private sealed record Row(SimulatedInstance I, string State, string Instance, string System);

    private static readonly FilterSet<Row> StatusFilters = new FilterSet<Row>()
        .On("instance-id", r => r.I.InstanceId)
        .On("availability-zone", r => r.I.AvailabilityZone)
        .On("instance-state-name", r => r.State)
        .On("instance-state-code", r => InstanceStates.Code(r.State).ToString(CultureInfo.InvariantCulture))
        .On("instance-status.status", r => r.Instance)
        .On("instance-status.reachability", r => DetailStatus(r.Instance))
        .On("system-status.status", r => r.System)
        .On("system-status.reachability", r => DetailStatus(r.System));

    public static void Register(Ec2Router router) => router.Add("DescribeInstanceStatus", DescribeInstanceStatus);

    private static IEnumerable<XElement> DescribeInstanceStatus(Ec2Context ctx)
    {
        var ids = ctx.Request.List("InstanceId");
        if (ids.Count > 0 && ctx.Request.Get("MaxResults") is not null)
        {
            throw new ApiException("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
        }
        var includeAll = ctx.Request.Bool("IncludeAllInstances");
        var candidates = ids.Count > 0 ? ctx.Instances(ids) : ctx.World.Instances;
        var match = StatusFilters.Compile(ctx.Request.Filters());
        var rows = candidates
            .Select(i => new Row(i, i.StateAt(ctx.Now), i.InstanceStatusAt(ctx.Now), i.SystemStatusAt(ctx.Now)))
            .Where(r => includeAll || r.State == InstanceStates.Running)
            .Where(match)
            .ToList();
        ctx.ExitIfDryRun();
        var (page, next) = Paging.Page(rows, ctx.Request, 5, 1000);
        yield return Set("instanceStatusSet", page.Select(r => new object?[]
        {
            E("instanceId", r.I.InstanceId),
            E("availabilityZone", r.I.AvailabilityZone),
            State(r.State),
            Check("systemStatus", r.System, r.I.BootedAt),
            Check("instanceStatus", r.Instance, r.I.ChecksAt),
            E("eventsSet"),
        }));
        if (next is not null)
        {
            yield return E("nextToken", next);
        }
    }

    private static XElement Check(string name, string status, DateTimeOffset? failingSince) => E(name,
        E("status", status),
        status == "not-applicable"
            ? null
            : Set("details", [[
                E("name", "reachability"),
                E("status", DetailStatus(status)),
                status == "impaired" && failingSince is { } since ? E("impairedSince", since) : null,
            ]]));

    private static string DetailStatus(string status) => status switch
    {
        "ok" => "passed",
        "impaired" => "failed",
        _ => status,
    };
}
