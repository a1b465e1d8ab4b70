using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace EnaRemediate.Cli.Tests.Processes;

/// <summary>The standalone simulator (tools/EnaRemediate.Simulator) as its own background process, as an operator runs it.</summary>
internal sealed class StandaloneSimulator : IAsyncDisposable
{
    public const double Speed = 100;
    private readonly RunningProcess _process;

    private StandaloneSimulator(RunningProcess process, string endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }
    public RunningProcess Process => _process;

    public static async Task<StandaloneSimulator> StartAsync(string scenario = "mixed-fleet")
    {
        var process = await RunningProcess.StartAsync("EnaRemediate.Simulator.dll", ["--scenario", scenario, "--port", "0", "--speed", Speed.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await process.WaitForOutputAsync(o => o.Contains("http://127.0.0.1:", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var endpoint = process.Stdout.Split('\n').First(l => l.StartsWith("http://", StringComparison.Ordinal)).Trim();
        return new StandaloneSimulator(process, endpoint);
    }

    /// <summary>The id of the first instance whose Name tag starts with the group (fallback, nitro, ...).</summary>
    public async Task<string> InstanceAsync(string group)
    {
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("test", "test"), new AmazonEC2Config { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1" });
        var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest());
        return response.Reservations.SelectMany(r => r.Instances)
            .First(i => i.Tags.Any(t => t.Key == "Name" && t.Value.StartsWith(group + "-", StringComparison.Ordinal))).InstanceId;
    }

    /// <summary>Stops the simulator with SIGTERM and returns the requests it counted (its last stdout line).</summary>
    public async Task<IReadOnlyDictionary<string, long>> StopAsync()
    {
        await _process.SignalAsync("TERM");
        var exit = await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"simulator exit {exit}: {_process.Stderr}");
        var last = _process.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonDocument.Parse(last).RootElement.GetProperty("requests").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
