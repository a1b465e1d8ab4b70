namespace EnaRemediate.Simulator.World;

/// <summary>
/// One phase the simulator drew for an instance, as it drew it: a stop (<see cref="ReadyAt"/> =
/// stopped, null while stuck), a start (ready = SSM Online, <see cref="ChecksAt"/> = both status
/// checks ok), a command ("command:DOCUMENT": <see cref="At"/> = received by the agent, ready =
/// finished) or a move of the instance's own root volume (attach, detach: ready = attached,
/// detached). <see cref="Subject"/> names the other instance: the one a root volume moves to or
/// from, the one whose root a command repairs. Benchmarks replay these as the floor no client can
/// beat (bench/README.md).
/// </summary>
public sealed record TimelineEntry(string Phase, DateTimeOffset At, DateTimeOffset? ReadyAt, DateTimeOffset? ChecksAt = null, string? Subject = null)
{
    public const string Stop = "stop";
    public const string Start = "start";
    public const string Attach = "attach";
    public const string Detach = "detach";

    public static string Command(string document) => "command:" + document;
}
