namespace EnaRemediate.Simulator.World;

/// <summary>
/// One phase the simulator drew for an instance, as it drew it: a stop (<see cref="ReadyAt"/> =
/// stopped, null while stuck), a start (ready = SSM Online, <see cref="ChecksAt"/> = both status
/// checks ok) or a command ("command:DOCUMENT": <see cref="At"/> = received by the agent, ready =
/// finished). Benchmarks replay these as the floor no client can beat (bench/README.md).
/// </summary>
public sealed record TimelineEntry(string Phase, DateTimeOffset At, DateTimeOffset? ReadyAt, DateTimeOffset? ChecksAt = null)
{
    public const string Stop = "stop";
    public const string Start = "start";

    public static string Command(string document) => "command:" + document;
}
