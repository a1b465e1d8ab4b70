using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using EnaRemediate.Aws.Dynamo;

namespace EnaRemediate.Functions.Tests.Support;

/// <summary>
/// The real npm dynalite server on 127.0.0.1, started for the test class and killed after it,
/// with a table laid out like template.yaml's.
/// </summary>
public sealed class Dynalite : IAsyncLifetime
{
    private Process? process;
    public AmazonDynamoDBClient Client { get; private set; } = null!;
    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        var cli = Path.Combine(RepoPaths.NodeTools, "node_modules", "dynalite", "cli.js");
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { cli, "--host", "127.0.0.1", "--port", Port.ToString(), "--createTableMs", "0", "--deleteTableMs", "0" })
                start.ArgumentList.Add(a);
            process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for dynalite.");
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line?.Contains("listening", StringComparison.OrdinalIgnoreCase) == true) break;
            var err = await process.StandardError.ReadToEndAsync();
            process.Kill(true);
            if (attempt == 2) throw new InvalidOperationException($"dynalite did not start: {line} {err}");
        }
        Client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"), new AmazonDynamoDBConfig
        {
            ServiceURL = $"http://127.0.0.1:{Port}",
            AuthenticationRegion = "us-east-1",
        });
    }

    /// <summary>A fresh table with the store's key schema (each test gets its own, so tests stay independent).</summary>
    public async Task<string> CreateTableAsync()
    {
        var name = "records-" + Guid.NewGuid().ToString("N")[..12];
        await Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions =
            [
                new AttributeDefinition(DynamoTableLayout.PartitionKey, ScalarAttributeType.S),
                new AttributeDefinition(DynamoTableLayout.SortKey, ScalarAttributeType.S),
            ],
            KeySchema =
            [
                new KeySchemaElement(DynamoTableLayout.PartitionKey, KeyType.HASH),
                new KeySchemaElement(DynamoTableLayout.SortKey, KeyType.RANGE),
            ],
        });
        for (var i = 0; i < 100; i++)
        {
            var table = await Client.DescribeTableAsync(name);
            if (table.Table.TableStatus == TableStatus.ACTIVE) return name;
            await Task.Delay(50);
        }
        throw new TimeoutException($"dynalite table {name} never became ACTIVE.");
    }

    public Task DisposeAsync()
    {
        Client?.Dispose();
        if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
        process?.Dispose();
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
