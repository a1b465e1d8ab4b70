namespace EnaRemediate.Bench.Fleet;

/// <summary>The calls of a floor path; each but <see cref="Command"/> draws from an EC2 token bucket of the same name.</summary>
internal enum FloorCall { Stop, Start, Modify, Command, Launch, Attach, Detach }

/// <summary>
/// One step of a floor path: the call that begins it, then the drawn wait until the next step may
/// begin. <see cref="After"/>: the step may not begin before that other path has ended (the repair
/// waits for its rescue instance). <see cref="OffPath"/>: the call must be made, but nothing waits
/// for it (the path goes on at once; the call still needs its token before the fleet is done).
/// </summary>
internal sealed record FloorStep(FloorCall Call, double Wait, FloorPath? After = null, bool OffPath = false);

/// <summary>What one instance (or one rescue instance) must go through, in order: see <see cref="FleetFloor"/>.</summary>
internal sealed class FloorPath(IReadOnlyList<FloorStep> steps)
{
    public IReadOnlyList<FloorStep> Steps { get; } = steps;

    /// <summary>The AWS action whose token bucket a call draws from; null for SendCommand, which EC2's buckets do not limit.</summary>
    public static string? Action(FloorCall call) => call switch
    {
        FloorCall.Stop => "StopInstances",
        FloorCall.Start => "StartInstances",
        FloorCall.Modify => "ModifyInstanceAttribute",
        FloorCall.Launch => "RunInstances",
        FloorCall.Attach => "AttachVolume",
        FloorCall.Detach => "DetachVolume",
        _ => null,
    };
}
