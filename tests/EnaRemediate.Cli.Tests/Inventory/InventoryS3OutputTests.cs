using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Cli.Tests.Engine;
using EnaRemediate.Core.Readiness;
using EnaRemediate.Functions.Tests.Support;
using EnaRemediate.Simulator;

namespace EnaRemediate.Cli.Tests.Inventory;

/// <summary>
/// A host report longer than the 24,000 characters GetCommandInvocation returns: `inventory
/// --output-bucket` has SSM write the full output to S3 and judges it from there; without a bucket
/// (or with one the agent could not write to) the row names the cut, never a verdict from half a report.
/// </summary>
public sealed class InventoryS3OutputTests : IAsyncLifetime
{
    private const string Bucket = "enaremediate-stack-bucket";
    private const string Collect = "EnaRemediate-CollectHostReport";
    private SimulatorHost _sim = null!;
    private string _host = "";
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "enaremediate-inventory-s3-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "pending-kernel-update", Speed = 200 });
        // One at-risk host whose report is huge: hundreds of old kernels before the two that matter.
        _host = _sim.World.Instances.First(i => i.Tags["Name"].StartsWith("at-risk-no-ena", StringComparison.Ordinal)).InstanceId;
        _sim.World.Faults.For(_host).OutputOverrides[Collect] = HugeHostReport.Json();
    }

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private Task<CliProcess.Result> Run(params string[] args) =>
        CliProcess.RunAsync(["inventory", "--format", "json", .. args, "--endpoint-url", _sim.Endpoint.ToString(), "--store", Path.Combine(_stateDir, "records.db")]);

    private static JsonElement Row(CliProcess.Result run, string id) =>
        JsonDocument.Parse(run.Stdout).RootElement.GetProperty("instances").EnumerateArray().Single(e => e.GetProperty("instanceId").GetString() == id);

    private static IEnumerable<string?> Codes(JsonElement row) => row.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString());

    [Fact]
    public async Task With_the_output_bucket_the_full_report_is_read_from_s3_and_judged()
    {
        using var s3 = new AmazonS3Client(new BasicAWSCredentials("test", "test"),
            new AmazonS3Config { ServiceURL = _sim.Endpoint.ToString(), AuthenticationRegion = "us-east-1", ForcePathStyle = true });
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });

        var run = await Run("--output-bucket", Bucket, "--output-prefix", "inventory/runs");

        var row = Row(run, _host);
        Assert.True(row.GetProperty("verdict").GetString() == "at-risk-next-reboot", row.ToString());
        Assert.Equal("6.1.0-57-amd64", row.GetProperty("nextKernel").GetString());
        Assert.Contains("module_missing", Codes(row));
        Assert.Equal(1, _sim.World.Counters["GetObject"]); // only the cut output was fetched from S3
        // The agent wrote it where SSM does (PREFIX/COMMAND/INSTANCE/awsrunShellScript/STEP/stdout), and that is where it was read.
        using var ssm = new AmazonSimpleSystemsManagementClient(new BasicAWSCredentials("test", "test"),
            new AmazonSimpleSystemsManagementConfig { ServiceURL = _sim.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var commandId = (await ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { InstanceId = _host })).CommandInvocations.Single().CommandId;
        using var stored = await s3.GetObjectAsync(Bucket, $"inventory/runs/{commandId}/{_host}/awsrunShellScript/collectHostReport/stdout");
        Assert.Equal(HugeHostReport.Json(), await new StreamReader(stored.ResponseStream).ReadToEndAsync());
    }

    [Fact]
    public async Task Without_a_bucket_the_cut_report_is_named_as_cut_not_judged()
    {
        var run = await Run();

        var row = Row(run, _host);
        Assert.Equal("not-managed", row.GetProperty("verdict").GetString());
        Assert.Equal(["report_truncated"], Codes(row));
        Assert.Equal(0, _sim.World.Counters["GetObject"]);
    }

    [Fact]
    public async Task A_bucket_the_agent_could_not_write_to_leaves_the_cut_named_with_the_reason()
    {
        var run = await Run("--output-bucket", "no-such-bucket-here");

        var row = Row(run, _host);
        Assert.Equal("not-managed", row.GetProperty("verdict").GetString());
        var finding = row.GetProperty("findings").EnumerateArray().Single();
        Assert.Equal("report_truncated", finding.GetProperty("code").GetString());
        Assert.Contains("s3://no-such-bucket-here/", finding.GetProperty("message").GetString());
        Assert.Contains("does not exist", finding.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("--output-bucket", "Bad_Bucket")]
    [InlineData("--output-bucket", Bucket, "--output-prefix", "a b")]
    [InlineData("--output-prefix", "runs")]
    public async Task A_bad_bucket_or_prefix_or_a_prefix_without_a_bucket_is_a_usage_error_with_no_call(params string[] args)
    {
        var run = await Run(args);
        Assert.Equal(64, run.ExitCode);
        Assert.Contains("output", run.Stderr);
        Assert.Equal(0, _sim.World.Counters.Total);
    }

    [Theory]
    [InlineData("EnaRemediate-CollectHostReport.json", DocumentSteps.CollectHostReport)]
    [InlineData("EnaRemediate-InstallDriver.json", DocumentSteps.InstallDriver)]
    public void The_step_names_in_the_s3_keys_are_the_generated_documents_own(string document, string step)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "driver", "documents", document)));
        Assert.Equal(step, json.RootElement.GetProperty("mainSteps")[0].GetProperty("name").GetString());
    }
}
