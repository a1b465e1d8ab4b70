namespace EnaRemediate.Simulator.World;

/// <summary>EC2's instance state names and codes (the low byte of instanceState.code).</summary>
public static class InstanceStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string ShuttingDown = "shutting-down";
    public const string Terminated = "terminated";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";

    public static int Code(string state) => state switch
    {
        Pending => 0,
        Running => 16,
        ShuttingDown => 32,
        Terminated => 48,
        Stopping => 64,
        Stopped => 80,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
