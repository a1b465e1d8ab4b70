using System.Xml.Linq;
using EnaRemediate.Simulator.Ec2;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.AutoScaling;

/// <summary>
/// The Auto Scaling Query API (Version 2011-01-01) on the simulator's endpoint, for the three calls
/// EnaRemediate makes: DescribeAutoScalingInstances, EnterStandby and ExitStandby. Membership comes
/// from the instances' aws:autoscaling:groupName tag (as the scenarios set it); lifecycle states
/// and desired capacities live here. Errors are Auto Scaling's ErrorResponse with ValidationError,
/// as the real service answers an instance in the wrong state.
/// </summary>
public sealed class AutoScalingEndpoint(SimulatedWorld world)
{
    public const string ApiVersion = "2011-01-01";
    public const string GroupTag = "aws:autoscaling:groupName";
    private static readonly XNamespace Ns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    private readonly Dictionary<string, string> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _desiredChange = new(StringComparer.Ordinal);

    /// <summary>The lifecycle state of a member (InService unless Standby was entered), null for a non-member.</summary>
    public string? LifecycleState(string instanceId)
    {
        lock (world.Sync)
        {
            return Group(instanceId) is null ? null : _states.GetValueOrDefault(instanceId, "InService");
        }
    }

    /// <summary>The group's desired capacity: its members, less those put in Standby with a decrement.</summary>
    public int DesiredCapacity(string group)
    {
        lock (world.Sync)
        {
            return world.Instances.Count(i => i.Tags.GetValueOrDefault(GroupTag) == group && i.State != "terminated") + _desiredChange.GetValueOrDefault(group);
        }
    }

    /// <summary>Puts a member in Standby as if a person had done it before EnaRemediate looked.</summary>
    public void SetStandby(string instanceId)
    {
        lock (world.Sync) { _states[instanceId] = "Standby"; }
    }

    internal (int Status, string Body) Handle(QueryRequest request)
    {
        var requestId = Guid.NewGuid().ToString();
        var action = request.Action;
        world.Counters.Count(action);
        var ids = request.List("InstanceIds.member");
        foreach (var id in ids) world.Counters.Count(action, id);
        try
        {
            if (world.Permissions.IsDenied(action))
            {
                throw new ApiException("AccessDenied", $"User is not authorized to perform: autoscaling:{action}", 403);
            }
            XElement result;
            lock (world.Sync)
            {
                result = action switch
                {
                    "DescribeAutoScalingInstances" => Describe(ids),
                    "EnterStandby" => Move(request, ids, from: "InService", to: "Standby", request.Bool("ShouldDecrementDesiredCapacity") ? -1 : 0),
                    "ExitStandby" => Move(request, ids, from: "Standby", to: "InService", +1),
                    _ => throw new ApiException("InvalidAction", $"The action {action} is not valid for this web service."),
                };
            }
            return (200, new XDocument(new XElement(Ns + $"{action}Response", result,
                new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", requestId)))).ToString(SaveOptions.DisableFormatting));
        }
        catch (ApiException e)
        {
            return (e.Status, new XDocument(new XElement(Ns + "ErrorResponse",
                new XElement(Ns + "Error", new XElement(Ns + "Type", "Sender"), new XElement(Ns + "Code", e.Code), new XElement(Ns + "Message", e.Message)),
                new XElement(Ns + "RequestId", requestId))).ToString(SaveOptions.DisableFormatting));
        }
    }

    private XElement Describe(IReadOnlyList<string> ids)
    {
        if (ids.Count > 50) throw new ApiException("ValidationError", "The number of instance ids that may be passed in is limited to 50.");
        var members = ids.Distinct(StringComparer.Ordinal).Select(id => (Id: id, Group: Group(id))).Where(m => m.Group is not null)
            .Select(m => new XElement(Ns + "member",
                new XElement(Ns + "InstanceId", m.Id),
                new XElement(Ns + "AutoScalingGroupName", m.Group),
                new XElement(Ns + "LifecycleState", _states.GetValueOrDefault(m.Id, "InService")),
                new XElement(Ns + "HealthStatus", "HEALTHY"),
                new XElement(Ns + "ProtectedFromScaleIn", "false")));
        return new XElement(Ns + "DescribeAutoScalingInstancesResult", new XElement(Ns + "AutoScalingInstances", members));
    }

    private XElement Move(QueryRequest request, IReadOnlyList<string> ids, string from, string to, int desiredChange)
    {
        var group = request.Required("AutoScalingGroupName");
        if (ids.Count == 0) throw new ApiException("ValidationError", "1 validation error detected: Value null at 'instanceIds' failed to satisfy constraint: Member must not be null");
        foreach (var id in ids)
        {
            if (Group(id) != group) throw new ApiException("ValidationError", $"The instance {id} is not part of Auto Scaling group {group}.");
            if (_states.GetValueOrDefault(id, "InService") != from) throw new ApiException("ValidationError", $"The instance {id} is not in {from}.");
        }
        var activities = ids.Select(id =>
        {
            _states[id] = to;
            _desiredChange[group] = _desiredChange.GetValueOrDefault(group) + desiredChange;
            return new XElement(Ns + "member",
                new XElement(Ns + "ActivityId", Guid.NewGuid().ToString()),
                new XElement(Ns + "AutoScalingGroupName", group),
                new XElement(Ns + "Description", $"Moving EC2 instance {(to == "Standby" ? "to" : "out of")} Standby: {id}"),
                new XElement(Ns + "StatusCode", "Successful"),
                new XElement(Ns + "Progress", "100"));
        });
        return new XElement(Ns + $"{request.Action}Result", new XElement(Ns + "Activities", activities.ToList()));
    }

    private string? Group(string instanceId) =>
        world.Instances.FirstOrDefault(i => i.InstanceId == instanceId && i.State != "terminated")?.Tags.GetValueOrDefault(GroupTag);
}
