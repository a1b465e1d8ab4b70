using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using EnaRemediate.Functions.Handlers;
using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Tests.Support;
using EnaRemediate.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Functions.Tests.EndToEnd;

/// <summary>
/// The deployment as AWS would run it, on this machine: our handlers (built by the catalog from
/// the same settings Lambda gives them) with real SDK clients against the simulator (EC2, SSM) and
/// dynalite (DynamoDB), and our ASL definition run by <see cref="LocalStateMachine"/> on the
/// simulator's fake clock. Like Lambda, each function runs one invocation per environment at a
/// time: concurrent invocations (a fan-out's batches) get environments of their own, each with
/// its own process state (clients, engine, caches), made when none is free.
/// </summary>
public sealed class Deployment : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);
    private const string Sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly BasicAWSCredentials Credentials = new("test", "test");

    // Per function ARN: its idle environments, and how many it ever had.
    private readonly Dictionary<string, (ConcurrentBag<IFunctionHandler> Idle, Func<IFunctionHandler> Create)> functions = new();
    private readonly ConcurrentDictionary<string, int> environments = new();
    private readonly ConcurrentQueue<string> invocations = new();
    public SimulatorHost Sim { get; }
    public FakeTimeProvider Clock { get; }
    public VirtualTime Time { get; }
    public FunctionServices Services { get; }
    public AmazonEC2Client Ec2 { get; }
    /// <summary>The handler of each invocation, in order.</summary>
    public IReadOnlyList<string> Invocations => invocations.ToList();

    private Deployment(SimulatorHost sim, FakeTimeProvider clock, FunctionServices services, Amazon.DynamoDBv2.IAmazonDynamoDB dynamo)
    {
        Sim = sim;
        Clock = clock;
        Time = new VirtualTime(clock);
        Services = services;
        Ec2 = new AmazonEC2Client(Credentials, new AmazonEC2Config { ServiceURL = sim.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        foreach (var name in HandlerCatalog.Names)
            functions[FunctionArn(name)] = ([], () => HandlerCatalog.Create(new FunctionServices(services.Settings with { Handler = name }, clock, Credentials, dynamo)));
    }

    /// <summary>When it answers true for (handler, payload), that invocation fails as Lambda reports a crashed function (Lambda.Unknown).</summary>
    public Func<string, JsonNode, bool>? FailWhen { get; set; }

    /// <summary>How many environments (processes) a function needed at most at once.</summary>
    public int EnvironmentsOf(string handler) => environments.GetValueOrDefault(FunctionArn(handler));

    /// <param name="instances">scales the scenario's fleet to this many (null: the scenario's own counts).</param>
    /// <param name="environment">More function environment variables (e.g. the inventory's auto-fix), over the defaults.</param>
    public static async Task<Deployment> StartAsync(Dynalite dynalite, string scenario, string defaultMode = "remediate", int? instances = null, int seed = 7,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var clock = new FakeTimeProvider(Start);
        var sim = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = scenario, Seed = seed, Clock = clock, Instances = instances });
        var table = await dynalite.CreateTableAsync();
        var variables = new Dictionary<string, string?>
        {
            ["AWS_REGION"] = "us-east-1",
            [FunctionSettings.HandlerVariable] = "intake",
            [FunctionSettings.TableVariable] = table,
            [FunctionSettings.DefaultModeVariable] = defaultMode,
            [FunctionSettings.EndpointVariable] = sim.Endpoint.ToString(),
            [FunctionSettings.DriverArchiveVariable] = "https://example.com/ena_linux_2.16.1.tar.gz",
            [FunctionSettings.DriverSha256Variable] = Sha256,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }
        var settings = FunctionSettings.From(n => variables.GetValueOrDefault(n));
        return new Deployment(sim, clock, new FunctionServices(settings, clock, Credentials, dynalite.Client), dynalite.Client);
    }

    public static string FunctionArn(string handler) => $"arn:aws:lambda:us-east-1:123456789012:function:enaremediate-{handler}";

    public string InstanceOfGroup(string group) =>
        Sim.World.Instances.First(i => i.Tags.TryGetValue("Name", out var n) && n.StartsWith(group + "-", StringComparison.Ordinal)).InstanceId;

    /// <summary>One Lambda invocation, the way the runtime loop makes it: a thrown exception's type name is the error.</summary>
    public async Task<JsonNode> InvokeAsync(string functionArn, JsonNode payload)
    {
        var (idle, create) = functions[functionArn];
        if (!idle.TryTake(out var handler))
        {
            handler = create();
            environments.AddOrUpdate(functionArn, 1, (_, n) => n + 1);
        }
        var name = functionArn[(functionArn.IndexOf("enaremediate-", StringComparison.Ordinal) + "enaremediate-".Length)..];
        invocations.Enqueue(name);
        if (FailWhen?.Invoke(name, payload) == true)
        {
            idle.Add(handler);
            throw new LocalStateMachine.TaskFailure("Lambda.Unknown", $"{name} crashed (injected by the test)");
        }
        var invocation = new LambdaInvocation(Guid.NewGuid().ToString(), Clock.GetUtcNow().AddMinutes(5), functionArn, null,
            payload.ToJsonString(), new StructuredLog(TextWriter.Null, Clock));
        try
        {
            return JsonNode.Parse(await handler.HandleAsync(invocation, CancellationToken.None))!;
        }
        catch (Exception e)
        {
            throw new LocalStateMachine.TaskFailure(LambdaRuntimeApiLoop.ErrorTypeOf(e), e.Message);
        }
        finally
        {
            idle.Add(handler);
        }
    }

    public LocalStateMachine Workflow()
    {
        var definition = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "statemachine", "remediation.asl.json"));
        var substitutions = new Dictionary<string, string>
        {
            ["IntakeFunctionArn"] = FunctionArn("intake"),
            ["AdvanceFunctionArn"] = FunctionArn("advance"),
            ["SweepFunctionArn"] = FunctionArn("sweep"),
            ["RegisterAmiFunctionArn"] = FunctionArn("register-ami"),
            ["InventoryFunctionArn"] = FunctionArn("inventory"),
            ["NotificationTopicArn"] = "arn:aws:sns:us-east-1:123456789012:enaremediate-results",
            ["EventBusName"] = "default",
        };
        return new LocalStateMachine(definition, substitutions, InvokeAsync, Time);
    }

    public async Task<(string Status, bool EnaSupport)> InstanceAsync(string id)
    {
        var status = await Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [id], IncludeAllInstances = true });
        var attribute = await Ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = id, Attribute = InstanceAttributeName.EnaSupport });
        return (status.InstanceStatuses.Single().Status.Status.Value, attribute.InstanceAttribute.EnaSupport == true);
    }

    public async ValueTask DisposeAsync()
    {
        Ec2.Dispose();
        await Sim.DisposeAsync();
    }
}
