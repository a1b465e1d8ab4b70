using EnaRemediate.Simulator.AutoScaling;
using System.Net;
using EnaRemediate.Simulator.Ec2;
using EnaRemediate.Simulator.Scenarios;
using EnaRemediate.Simulator.Ssm;
using EnaRemediate.Simulator.Time;
using EnaRemediate.Simulator.World;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EnaRemediate.Simulator;

/// <summary>
/// A running simulator: Kestrel on 127.0.0.1 serving EC2 (form POST, Action=…), SSM
/// (X-Amz-Target: AmazonSSM.*) and S3 (path-style /BUCKET/KEY) on one endpoint, over a world loaded from a scenario.
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimulatorHost(WebApplication app, SimulatedWorld world, Uri endpoint)
    {
        _app = app;
        World = world;
        Endpoint = endpoint;
    }

    /// <summary>http://127.0.0.1:PORT/ — point both AmazonEC2Config.ServiceURL and the SSM client's here.</summary>
    public Uri Endpoint { get; }
    public SimulatedWorld World { get; }
    /// <summary>The simulator's clock; whoever drives the fleet should sleep on this same clock.</summary>
    public TimeProvider Clock => World.Clock;

    public static async Task<SimulatorHost> StartAsync(SimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "port must be between 0 and 65535");
        }
        var scenario = ScenarioLoader.Load(options.Scenario);
        var world = new SimulatedWorld(options.Clock ?? new ScaledTimeProvider(options.Speed), options.Seed);
        ScenarioLoader.Populate(world, scenario, options.Instances);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(SimulatorHost).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var ec2 = new Ec2Router(world);
        var ssm = new SsmRouter(world);
        var autoScaling = new AutoScalingEndpoint(world);
        var s3 = new S3.S3Endpoint(world);
        app.Run(context => S3.S3Endpoint.Handles(context.Request) ? s3.ServeAsync(context) : Serve(context, world, ec2, ssm, autoScaling));
        await app.StartAsync(ct).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        return new SimulatorHost(app, world, new Uri($"http://127.0.0.1:{port}/")) { AutoScaling = autoScaling };
    }

    /// <summary>The Auto Scaling groups of the fleet (Query API Version 2011-01-01 on the same endpoint).</summary>
    public required AutoScalingEndpoint AutoScaling { get; init; }

    private static async Task Serve(HttpContext context, SimulatedWorld world, Ec2Router ec2, SsmRouter ssm, AutoScalingEndpoint autoScaling)
    {
        int status;
        string body;
        string contentType;
        if (context.Request.Headers.TryGetValue("X-Amz-Target", out var target))
        {
            using var reader = new StreamReader(context.Request.Body);
            var request = await reader.ReadToEndAsync(context.RequestAborted);
            var cpu = ThreadCpuClock.Now();
            (status, body) = ssm.Handle(target.ToString(), request);
            world.Counters.AddHandlerCpu(ThreadCpuClock.Now() - cpu);
            contentType = "application/x-amz-json-1.1";
        }
        else
        {
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in context.Request.Query)
            {
                parameters[key] = value.ToString();
            }
            try
            {
                if (context.Request.HasFormContentType)
                {
                    foreach (var (key, value) in await context.Request.ReadFormAsync(context.RequestAborted))
                    {
                        parameters[key] = value.ToString();
                    }
                }
                var cpu = ThreadCpuClock.Now();
                var query = new QueryRequest(parameters);
                (status, body) = query.Get("Version") == AutoScalingEndpoint.ApiVersion ? autoScaling.Handle(query) : ec2.Handle(query);
                world.Counters.AddHandlerCpu(ThreadCpuClock.Now() - cpu);
            }
            catch (InvalidDataException e)
            {
                // Kestrel's form limits (too many values, too long a value): an EC2 error, not a dropped connection.
                (status, body) = (400, Ec2Xml.Error("InvalidParameterValue", e.Message, Guid.NewGuid().ToString()));
            }
            contentType = "text/xml;charset=UTF-8";
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
