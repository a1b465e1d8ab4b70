using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.ReregisterAmi;

/// <summary>
/// The engine on the simulator (see <see cref="SimulatedEngine"/>) plus what the AMI tests need:
/// a raw EC2 client to look at images the way an operator would, a scenario written for the test,
/// and services whose image port a test can wrap (to crash it at a chosen call).
/// </summary>
internal sealed class AmiSimulation : IAsyncDisposable
{
    /// <summary>An instance-store fleet made to exercise every copied attribute, with a foreign-owned bundle beside it.</summary>
    public const string AttributesScenario = """
    {
      "name": "ami-attributes",
      "images": [
        { "key": "bundle", "name": "legacy-batch (2019)", "rootDeviceType": "instance-store", "architecture": "i386",
          "kernelId": "aki-88aa75e1", "ramdiskId": "ari-1a2b3c4d", "bootMode": "uefi", "sriovNetSupport": true,
          "enaSupport": true, "ephemeral": 2, "guest": GUEST },
        { "key": "shared", "name": "vendor-bundle", "rootDeviceType": "instance-store", "ownerId": "999988887777",
          "enaSupport": true, "ephemeral": 1, "guest": GUEST },
        { "key": "ebs", "name": "debian-12-ebs", "enaSupport": true, "guest": GUEST }
      ],
      "groups": [
        { "name": "batch", "instanceTypes": ["c3.large"], "image": "bundle", "broken": "kernel-update",
          "tags": { "EnaRemediate:OptIn": "true", "team": "batch", "cost centre": "a'b\"c; rm -rf /" },
          "keyName": "ops-2019", "iamInstanceProfileArn": "arn:aws:iam::123456789012:instance-profile/batch",
          "securityGroupIds": ["sg-0123456789abcdef0", "sg-0fedcba9876543210"], "userData": "IyEvYmluL3NoCmVjaG8gaGVsbG8K" },
        { "name": "vendor", "instanceTypes": ["x1.16xlarge"], "image": "shared", "broken": "kernel-update",
          "tags": { "EnaRemediate:OptIn": "true" } }
      ]
    }
    """;

    private const string Guest = """
    { "distroId": "debian", "distroVersion": "12", "dkms": false,
      "kernels": [ { "version": "6.1.0-56-amd64", "headers": true, "ena": { "version": "2.8.0g", "inTree": false } } ] }
    """;

    private readonly string? _scenarioFile;

    private AmiSimulation(SimulatedEngine engine, IAmazonEC2 ec2, string? scenarioFile)
    {
        Engine = engine;
        Ec2 = ec2;
        _scenarioFile = scenarioFile;
    }

    public SimulatedEngine Engine { get; }
    /// <summary>A client of the test's own, for looking (and for operator actions like DeregisterImage).</summary>
    public IAmazonEC2 Ec2 { get; }
    public Simulator.World.SimulatedWorld World => Engine.World;
    public Simulator.World.RequestCounters Counters => Engine.World.Counters;

    /// <summary>A built-in scenario by name, or the test's attributes scenario when <paramref name="scenario"/> is null.</summary>
    public static Task<AmiSimulation> StartAsync(string? scenario = null, int? instances = null) =>
        scenario is null ? StartWithAsync(AttributesScenario.Replace("GUEST", Guest, StringComparison.Ordinal)) : StartAsync(scenario, instances, null);

    /// <summary>A scenario written by the test (JSON), in a file removed at dispose.</summary>
    public static async Task<AmiSimulation> StartWithAsync(string scenarioJson)
    {
        var file = Path.Combine(Path.GetTempPath(), $"enaremediate-ami-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, scenarioJson);
        return await StartAsync(null, null, file);
    }

    private static async Task<AmiSimulation> StartAsync(string? scenario, int? instances, string? file)
    {
        var engine = await SimulatedEngine.StartAsync(file ?? scenario!, instances);
        var (ec2, _) = EngineFactory.CreateClients(Connection(engine));
        return new AmiSimulation(engine, ec2, file);
    }

    public static AwsConnection Connection(SimulatedEngine engine) =>
        new("us-east-1", engine.Host.Endpoint.ToString(), new BasicAWSCredentials("test", "test"));

    /// <summary>A fresh service on the same store and simulator, its image port optionally wrapped (what a new process would build).</summary>
    public RemediationService Service(Func<IImagePort, IImagePort>? wrapImages = null)
    {
        var (ec2, ssm) = EngineFactory.CreateClients(Connection(Engine));
        IImagePort images = new ImageAdapter(ec2);
        return new RemediationService(new Ec2Adapter(ec2), new SsmAdapter(ssm), Engine.Store, SimulatedEngine.Options, Engine.Clock,
            images: wrapImages?.Invoke(images) ?? images);
    }

    public AmiRegistrar Registrar(Func<IImagePort, IImagePort>? wrapImages = null)
    {
        IImagePort images = new ImageAdapter(Ec2);
        return new AmiRegistrar(wrapImages?.Invoke(images) ?? images, Engine.Clock);
    }

    public string InstanceOf(string group) => Engine.Id(group);

    public string ImageOf(string instanceId) => World.Instance(instanceId).ImageId;

    public IReadOnlyList<string> InstanceStoreIds => World.Instances.Where(i => i.IsInstanceStoreBacked).Select(i => i.InstanceId).ToList();

    /// <summary>Start with the reregister-ami options and Advance to the end on the test clock.</summary>
    public async Task<(StartResult Started, AdvanceResult Result)> RemediateAsync(IReadOnlyList<string> ids, bool launchReplacement = false, RemediationService? service = null,
        string? thenRemediateInto = null)
    {
        service ??= Engine.Service;
        var request = ReregisterAmiRequests.Request(ids, launchReplacement, dryRun: false, "test", null, thenRemediateInto);
        var started = await service.StartAsync(request);
        return (started, await Engine.RunAsync(started.RemediationIds, service));
    }

    public async Task<RemediationRecord> RecordAsync(string remediationId) =>
        await Engine.Store.GetAsync(remediationId) ?? throw new InvalidOperationException($"no record {remediationId}");

    public async Task<Image?> DescribeAsync(string imageId) =>
        (await Ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] })).Images?.SingleOrDefault();

    /// <summary>This account's images that are ENA-disabled copies of <paramref name="sourceImageId"/> by name prefix (tagged or not).</summary>
    public async Task<IReadOnlyList<Image>> CopiesOfAsync(string sourceImageId)
    {
        var source = await DescribeAsync(sourceImageId) ?? throw new InvalidOperationException($"no image {sourceImageId}");
        var response = await Ec2.DescribeImagesAsync(new DescribeImagesRequest
        {
            Owners = ["self"],
            Filters = [new Filter("name", [AmiNaming.NameFor(source.Name, Engine.Clock.GetUtcNow())[..^8] + "*"])],
        });
        return response.Images ?? [];
    }

    public static T? FromJson<T>(string json) => JsonSerializer.Deserialize<T>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public async ValueTask DisposeAsync()
    {
        Ec2.Dispose();
        await Engine.DisposeAsync();
        if (_scenarioFile is not null)
        {
            File.Delete(_scenarioFile);
        }
    }
}
