using EnaRemediate.Simulator;

namespace EnaRemediate.Cli.Tests.Engine;

/// <summary>A mixed-fleet simulator on loopback and a private record store folder, for CLI process tests; one per test.</summary>
public abstract class MixedFleetSimulator : IAsyncLifetime
{
    protected SimulatorHost Sim { get; private set; } = null!;
    protected string StateDir { get; } = Path.Combine(Path.GetTempPath(), "enaremediate-cli-" + Guid.NewGuid().ToString("N"));
    protected string StorePath => Path.Combine(StateDir, "records.db");

    public async Task InitializeAsync() => Sim = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "mixed-fleet", Speed = 50 });

    public async Task DisposeAsync()
    {
        await Sim.DisposeAsync();
        if (Directory.Exists(StateDir))
        {
            Directory.Delete(StateDir, recursive: true);
        }
    }

    protected string Id(string group) => Sim.World.Instances.First(i => i.Tags.TryGetValue("Name", out var n) && n.StartsWith(group + "-", StringComparison.Ordinal)).InstanceId;
}
