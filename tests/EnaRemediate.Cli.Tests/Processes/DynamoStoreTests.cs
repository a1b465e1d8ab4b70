using System.Text.Json;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Cli.Tests.Engine;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Cli.Tests.Processes;

/// <summary>
/// `--store dynamodb:TABLE`: operators' CLI processes share the deployment's table (the real
/// dynalite server) for records and locks: two runs at once make one remediation, and status and
/// history read what the run wrote.
/// </summary>
public sealed class DynamoStoreTests(Dynalite dynalite) : SimulatorAndStore, IClassFixture<Dynalite>
{
    [Fact]
    public async Task TwoRunsOnTheDeploymentsTableMakeOneRemediationThatStatusAndHistoryShow()
    {
        var table = await dynalite.CreateTableAsync();
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_DYNAMODB"] = $"http://127.0.0.1:{dynalite.Port}" };
        string[] remediate = ["remediate", "--instance-id", Instance, "--yes", "--store", "dynamodb:" + table, "--endpoint-url", Sim.Endpoint,
            "--driver-sha256", new string('a', 64), "--time-scale", Scale];

        var runs = await Task.WhenAll(RunningProcess.StartAsync("enaremediate.dll", remediate, environment), RunningProcess.StartAsync("enaremediate.dll", remediate, environment));
        var exits = await Task.WhenAll(runs.Select(r => r.WaitForExitAsync(RunTimeout)));
        foreach (var run in runs)
        {
            await run.DisposeAsync();
        }
        var requests = await Sim.StopAsync();

        Assert.True(exits.Order().SequenceEqual([0, 1]), $"exits {exits[0]}, {exits[1]}: {runs[0].Stderr} {runs[1].Stderr}");
        Assert.Equal(2, requests["StopInstances"]);
        var store = new DynamoRemediationStore(dynalite.Client, table, TimeSpan.FromDays(1));
        Assert.Equal("recovered", Assert.Single(await store.HistoryAsync(Instance)).Outcome);

        var status = await CliProcess.RunAsync(["status", "--instance-id", Instance, "--store", "dynamodb:" + table, "--format", "json"], environment);
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Equal("recovered", Assert.Single(JsonDocument.Parse(status.Stdout).RootElement.GetProperty("instances").EnumerateArray()).GetProperty("outcome").GetString());
        var history = await CliProcess.RunAsync(["history", Instance, "--store", "dynamodb:" + table], environment);
        Assert.Contains("install-driver", history.Stdout);
    }

    [Fact]
    public async Task AnUnknownTableIsAClearErrorNotACrash()
    {
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_DYNAMODB"] = $"http://127.0.0.1:{dynalite.Port}" };

        var run = await CliProcess.RunAsync(["status", "--instance-id", Instance, "--store", "dynamodb:no-such-table"], environment);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("the DynamoDB table named in --store does not exist", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.DoesNotContain("Exception", run.Stderr);
    }
}
