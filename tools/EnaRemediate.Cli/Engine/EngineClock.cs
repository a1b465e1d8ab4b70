namespace EnaRemediate.Cli.Engine;

/// <summary>The engine's clock in the CLI: real time, or a simulator's faster time (--time-scale); never a scaled clock against real AWS.</summary>
internal static class EngineClock
{
    public static System.CommandLine.Option<double?> CreateOption() => new("--time-scale")
    {
        Description = "With --endpoint-url of a simulator started with --speed X: run the engine's clock X times faster too (1-1000).",
    };

    public static TimeProvider For(double? scale, string? endpointUrl) => scale switch
    {
        null => TimeProvider.System,
        _ when endpointUrl is null => throw new ArgumentException("--time-scale needs --endpoint-url: it is for simulators, never for real AWS"),
        < 1 or > 1000 => throw new ArgumentException("--time-scale must be between 1 and 1000"),
        { } speed => new Simulator.Time.ScaledTimeProvider(speed),
    };
}
