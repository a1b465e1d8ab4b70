namespace EnaRemediate.Cli.Tests.Processes;

/// <summary>
/// What each process test starts from: the standalone simulator process, a fresh SQLite store file,
/// one fallback-plan instance, and `remediate` of that instance on that store as a background process.
/// </summary>
public abstract class SimulatorAndStore : IAsyncLifetime
{
    protected static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "enaremediate-procs-" + Guid.NewGuid().ToString("N"));
    private StandaloneSimulator? _sim;

    internal StandaloneSimulator Sim => _sim!;
    protected string Instance { get; private set; } = null!;
    protected string Store => Path.Combine(_dir, "records.db");
    protected static string Scale => StandaloneSimulator.Speed.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _sim = await StandaloneSimulator.StartAsync();
        Instance = await _sim.InstanceAsync("fallback");
    }

    public async Task DisposeAsync()
    {
        if (_sim is not null)
        {
            await _sim.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    internal Task<RunningProcess> StartRemediate() => RunningProcess.StartAsync("enaremediate.dll",
        ["remediate", "--instance-id", Instance, "--yes", "--store", Store, "--endpoint-url", Sim.Endpoint, "--driver-sha256", new string('a', 64), "--time-scale", Scale]);
}
