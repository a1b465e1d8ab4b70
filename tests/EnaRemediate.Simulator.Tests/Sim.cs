using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using EnaRemediate.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Simulator.Tests;

/// <summary>A simulator on a test clock, with real SDK clients pointed at it, as every test uses it.</summary>
internal sealed class Sim : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private Sim(SimulatorHost host, FakeTimeProvider clock, int maxErrorRetry)
    {
        Host = host;
        Clock = clock;
        var credentials = new BasicAWSCredentials("test", "test");
        Ec2 = new AmazonEC2Client(credentials, new AmazonEC2Config
        {
            ServiceURL = host.Endpoint.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = maxErrorRetry,
        });
        Ssm = new AmazonSimpleSystemsManagementClient(credentials, new AmazonSimpleSystemsManagementConfig
        {
            ServiceURL = host.Endpoint.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = maxErrorRetry,
        });
    }

    public SimulatorHost Host { get; }
    public FakeTimeProvider Clock { get; }
    public AmazonEC2Client Ec2 { get; }
    public AmazonSimpleSystemsManagementClient Ssm { get; }
    public World.SimulatedWorld World => Host.World;

    public static async Task<Sim> StartAsync(string scenario = "mixed-fleet", int? instances = null, int seed = 1, int maxErrorRetry = 2)
    {
        var clock = new FakeTimeProvider(Start);
        var host = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = scenario, Instances = instances, Seed = seed, Clock = clock });
        return new Sim(host, clock, maxErrorRetry);
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);

    public async Task<List<Instance>> InstancesAsync(params Filter[] filters)
    {
        var response = await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [.. filters] });
        return (response.Reservations ?? []).SelectMany(r => r.Instances).ToList();
    }

    public async Task<Instance> InstanceAsync(string id)
    {
        var response = await Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] });
        return response.Reservations.Single().Instances.Single();
    }

    /// <summary>The id of the first instance whose Name tag starts with <paramref name="group"/> (scenario group names).</summary>
    public string Id(string group) =>
        World.Instances.First(i => i.Tags.TryGetValue("Name", out var n) && n.StartsWith(group + "-", StringComparison.Ordinal)).InstanceId;

    public async Task<string> InstanceStatusAsync(string id)
    {
        var response = await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [id], IncludeAllInstances = true });
        return response.InstanceStatuses.Single().Status.Status.Value;
    }

    public async ValueTask DisposeAsync()
    {
        Ec2.Dispose();
        Ssm.Dispose();
        await Host.DisposeAsync();
    }
}
