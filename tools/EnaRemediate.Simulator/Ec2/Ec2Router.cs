using System.Xml.Linq;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>
/// The EC2 Query endpoint: counts the request, applies injected server errors, permissions and
/// throttling, runs the action's handler under the world lock, and renders XML or EC2's error XML.
/// </summary>
internal sealed class Ec2Router
{
    private readonly Dictionary<string, Func<Ec2Context, IEnumerable<XElement>>> _handlers = new(StringComparer.Ordinal);
    private readonly SimulatedWorld _world;

    public Ec2Router(SimulatedWorld world)
    {
        _world = world;
        InstanceActions.Register(this);
        StatusActions.Register(this);
        InstanceTypeActions.Register(this);
        TagActions.Register(this);
        VolumeActions.Register(this);
        ImageActions.Register(this);
        LaunchActions.Register(this);
    }

    public void Add(string action, Func<Ec2Context, IEnumerable<XElement>> handler) => _handlers[action] = handler;

    public (int Status, string Body) Handle(QueryRequest request)
    {
        var requestId = Guid.NewGuid().ToString();
        var action = request.Action;
        _world.Counters.Count(action.Length == 0 ? "(none)" : action);
        foreach (var instanceId in request.List("InstanceId"))
        {
            _world.Counters.Count(action, instanceId);
        }
        if (!_handlers.TryGetValue(action, out var handler))
        {
            return (400, Ec2Xml.Error("InvalidAction", $"The action {action} is not valid for this web service.", requestId));
        }
        if (_world.Faults.TryTakeServerError(action))
        {
            return (503, Ec2Xml.Error("Unavailable", "The service is unavailable. Please try again shortly.", requestId));
        }
        if (_world.Permissions.IsDenied(action))
        {
            return (403, Ec2Xml.Error("UnauthorizedOperation", "You are not authorized to perform this operation.", requestId));
        }
        if (!_world.Throttle.TryAdmit(action, IsUnfilteredDescribe(request), request.List("InstanceId")))
        {
            _world.Counters.CountThrottled();
            return (503, Ec2Xml.Error("RequestLimitExceeded", "Request limit exceeded.", requestId));
        }
        try
        {
            List<XElement> members;
            lock (_world.Sync)
            {
                var now = _world.Now;
                _world.Commands.Settle(now);
                members = handler(new Ec2Context(_world, request, now)).ToList();
            }
            return (200, Ec2Xml.Response(action, requestId, members));
        }
        catch (ApiException e)
        {
            return (e.Status, Ec2Xml.Error(e.Code, e.Message, requestId));
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidOperationException)
        {
            // Input the handlers did not anticipate still gets an EC2-shaped answer, never a dropped connection.
            return (400, Ec2Xml.Error("InvalidParameterValue", e.Message, requestId));
        }
    }

    // EC2 gives "unfiltered and unpaginated" describe calls a smaller bucket (FACTS.md §4).
    private static bool IsUnfilteredDescribe(QueryRequest request) =>
        request.Action.StartsWith("Describe", StringComparison.Ordinal)
        && request.Filters().Count == 0
        && request.Get("MaxResults") is null
        && request.List("InstanceId").Count == 0;
}
