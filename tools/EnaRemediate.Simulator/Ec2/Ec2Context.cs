using System.Text.RegularExpressions;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>What an action handler works with: the world (already locked), the request, and one "now".</summary>
internal sealed partial class Ec2Context(SimulatedWorld world, QueryRequest request, DateTimeOffset now)
{
    public SimulatedWorld World { get; } = world;
    public QueryRequest Request { get; } = request;
    public DateTimeOffset Now { get; } = now;

    /// <summary>Called by mutating handlers after validation: a permitted DryRun stops here (HTTP 412).</summary>
    public void ExitIfDryRun()
    {
        if (Request.DryRun)
        {
            throw new ApiException("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
        }
    }

    /// <summary>Resolves instance ids in request order: malformed ids first, then every unknown id in one error.</summary>
    public IReadOnlyList<SimulatedInstance> Instances(IReadOnlyList<string> ids)
    {
        foreach (var id in ids)
        {
            if (!InstanceIdShape().IsMatch(id))
            {
                throw new ApiException("InvalidInstanceID.Malformed", $"Invalid id: \"{id}\"");
            }
        }
        var missing = ids.Where(id => World.FindInstance(id) is null).Distinct().ToList();
        if (missing.Count == 1)
        {
            throw new ApiException("InvalidInstanceID.NotFound", $"The instance ID '{missing[0]}' does not exist");
        }
        if (missing.Count > 1)
        {
            throw new ApiException("InvalidInstanceID.NotFound", $"The instance IDs '{string.Join(", ", missing)}' do not exist");
        }
        return ids.Distinct().Select(id => World.FindInstance(id)!).ToList();
    }

    public IReadOnlyList<SimulatedInstance> RequiredInstances(string prefix = "InstanceId")
    {
        var ids = Request.List(prefix);
        if (ids.Count == 0)
        {
            throw new ApiException("MissingParameter", "The request must contain the parameter InstanceId");
        }
        return Instances(ids);
    }

    public SimulatedInstance SingleInstance() =>
        Instances([Request.Required("InstanceId")])[0];

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstanceIdShape();
}
