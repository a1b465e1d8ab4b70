namespace EnaRemediate.Simulator;

/// <summary>How to start a simulator: which fleet, how big, which seed, how fast, where.</summary>
public sealed record SimulatorOptions
{
    /// <summary>A built-in scenario name (see docs/simulator.md) or a path to a scenario .json file.</summary>
    public string Scenario { get; init; } = "mixed-fleet";
    /// <summary>Scales the scenario's groups to this many instances in total; null keeps the file's counts.</summary>
    public int? Instances { get; init; }
    /// <summary>Seeds ids and every latency, so the same seed gives the same run.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Simulated seconds per real second for the default clock (1 to 1000).</summary>
    public double Speed { get; init; } = 1;
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }
    /// <summary>The simulator's clock; null means the real clock scaled by <see cref="Speed"/>.</summary>
    public TimeProvider? Clock { get; init; }
}
