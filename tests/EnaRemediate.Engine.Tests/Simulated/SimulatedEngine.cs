using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Simulator;
using EnaRemediate.Simulator.World;
using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Engine.Tests.Simulated;

/// <summary>
/// The real engine, through the real AWS SDK, against the wire-level simulator on a test clock:
/// each wait the engine asks for is a jump of the clock, so hours of EC2 time take a second.
/// </summary>
internal sealed class SimulatedEngine : IAsyncDisposable
{
    /// <summary>A syntactically valid digest; the simulator checks its shape, not the archive.</summary>
    public const string DriverSha256 = "5f1c2b7e0d9a4c3b8e6f1a2d3c4b5a6978e1f0d2c3b4a5968778695a4b3c2d1e";

    private SimulatedEngine(SimulatorHost host, FakeTimeProvider clock, InMemoryRemediationStore store, RemediationService service)
    {
        Host = host;
        Clock = clock;
        Store = store;
        Service = service;
    }

    public SimulatorHost Host { get; }
    public FakeTimeProvider Clock { get; }
    public RemediationService Service { get; }
    public InMemoryRemediationStore Store { get; }
    public SimulatedWorld World => Host.World;

    public static EngineOptions Options => new EngineOptions { JitterSeed = 11 }.WithDriver(DriverSha256);

    public static async Task<SimulatedEngine> StartAsync(string scenario, int? instances = null, int seed = 1, Action<SimulatedWorld>? arrange = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var host = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = scenario, Instances = instances, Seed = seed, Clock = clock });
        arrange?.Invoke(host.World);
        var store = new InMemoryRemediationStore();
        var service = EngineFactory.Create(new AwsConnection("us-east-1", host.Endpoint.ToString(), new BasicAWSCredentials("test", "test")), store, Options, clock);
        return new SimulatedEngine(host, clock, store, service);
    }

    /// <summary>A second engine on the same store and simulator: what a new process after a crash would build.</summary>
    public RemediationService NewService(Func<Core.Engine.Ports.IEc2Port, Core.Engine.Ports.IEc2Port>? wrapEc2 = null, Func<Core.Engine.Ports.ISsmPort, Core.Engine.Ports.ISsmPort>? wrapSsm = null, Func<IRemediationStore, IRemediationStore>? wrapStore = null)
    {
        var (ec2, ssm) = EngineFactory.CreateClients(new AwsConnection("us-east-1", Host.Endpoint.ToString(), new BasicAWSCredentials("test", "test")));
        Core.Engine.Ports.IEc2Port ec2Port = new Ec2Adapter(ec2);
        Core.Engine.Ports.ISsmPort ssmPort = new SsmAdapter(ssm);
        IRemediationStore store = Store;
        return new RemediationService(wrapEc2?.Invoke(ec2Port) ?? ec2Port, wrapSsm?.Invoke(ssmPort) ?? ssmPort, wrapStore?.Invoke(store) ?? store, Options, Clock, images: new ImageAdapter(ec2));
    }

    public IReadOnlyList<string> InstanceIds => World.Instances.Select(i => i.InstanceId).ToList();

    public string Id(string group) =>
        World.Instances.First(i => i.Tags.TryGetValue("Name", out var n) && n.StartsWith(group + "-", StringComparison.Ordinal)).InstanceId;

    /// <summary>Start a remediation of these instances and Advance it to the end on the test clock.</summary>
    public async Task<(StartResult Started, AdvanceResult Result)> RemediateAsync(IReadOnlyList<string> ids, RemediationService? service = null)
    {
        service ??= Service;
        var started = await service.StartAsync(new RemediationRequest(ids, RemediationMode.Remediate, DryRun: false, "test", null));
        return (started, await RunAsync(started.RemediationIds, service));
    }

    public async Task<AdvanceResult> RunAsync(IReadOnlyList<string> remediationIds, RemediationService? service = null)
    {
        service ??= Service;
        for (var look = 0; look < 3000; look++)
        {
            var result = await service.AdvanceAsync(remediationIds);
            if (result.Done)
            {
                return result;
            }
            Clock.Advance(TimeSpan.FromSeconds(result.WaitSeconds));
        }
        throw new InvalidOperationException("the remediation did not finish within 3000 looks");
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
