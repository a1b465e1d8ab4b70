using System.Text.Json;
using System.Text.Json.Nodes;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>
/// The SSM JSON 1.1 endpoint (X-Amz-Target: AmazonSSM.Op): counts, injected server errors,
/// permissions, then the operation under the world lock; errors as {"__type","message"}.
/// </summary>
internal sealed class SsmRouter
{
    private readonly SimulatedWorld _world;
    private readonly Dictionary<string, Func<SsmContext, JsonObject>> _operations = new(StringComparer.Ordinal);

    public SsmRouter(SimulatedWorld world)
    {
        _world = world;
        var commands = new SsmCommandOperations();
        _operations["DescribeInstanceInformation"] = InstanceInformationOperation.Describe;
        _operations["SendCommand"] = commands.SendCommand;
        _operations["GetCommandInvocation"] = commands.GetCommandInvocation;
        _operations["ListCommandInvocations"] = commands.ListCommandInvocations;
        _operations["CancelCommand"] = commands.CancelCommand;
        _operations["ListCommands"] = ListCommandsOperation.List;
    }

    public (int Status, string Body) Handle(string target, string body)
    {
        var operation = target.StartsWith("AmazonSSM.", StringComparison.Ordinal) ? target["AmazonSSM.".Length..] : target;
        _world.Counters.Count(operation);
        if (!_operations.TryGetValue(operation, out var handler))
        {
            return Error(400, "UnknownOperationException", $"Operation {operation} is not supported by the simulator.");
        }
        if (_world.Faults.TryTakeServerError(operation))
        {
            return Error(500, "InternalServerError", "An internal error occurred.");
        }
        if (_world.Permissions.IsDenied(operation))
        {
            return Error(400, "AccessDeniedException", $"User is not authorized to perform: ssm:{operation}");
        }
        JsonObject request;
        try
        {
            request = JsonNode.Parse(body.Length == 0 ? "{}" : body) as JsonObject
                ?? throw new JsonException("the body is not a JSON object");
        }
        catch (JsonException e)
        {
            return Error(400, "SerializationException", $"The request body is not valid JSON: {e.Message}");
        }
        try
        {
            JsonObject response;
            lock (_world.Sync)
            {
                var now = _world.Now;
                _world.Commands.Settle(now);
                response = handler(new SsmContext(_world, new SsmRequest(request), now));
            }
            return (200, response.ToJsonString());
        }
        catch (ApiException e)
        {
            return Error(e.Status, e.Code, e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A member of the wrong JSON type (a number where a string belongs, …).
            return Error(400, "SerializationException", $"A request member has the wrong type: {e.Message}");
        }
    }

    private static (int, string) Error(int status, string type, string message) =>
        (status, new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString());
}

internal sealed record SsmContext(SimulatedWorld World, SsmRequest Request, DateTimeOffset Now);
