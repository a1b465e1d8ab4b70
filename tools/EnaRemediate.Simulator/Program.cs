using System.CommandLine;
using EnaRemediate.Simulator;
using EnaRemediate.Simulator.Scenarios;

// Standalone: start the simulator, print its endpoint, serve until SIGINT (Ctrl-C) or SIGTERM, then stop cleanly (exit 0).
// Both signals work also in a background job, where the shell starts it with SIGINT ignored (StopSignals).
var scenario = new Option<string>("--scenario") { Description = $"Scenario name ({string.Join(", ", ScenarioLoader.BuiltIn)}) or a .json path", DefaultValueFactory = _ => "mixed-fleet" };
var instances = new Option<int?>("--instances") { Description = "Scale the scenario to this many instances" };
var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 0 };
var speed = new Option<double>("--speed") { Description = "Simulated seconds per real second (1 to 1000)", DefaultValueFactory = _ => 1 };
var seed = new Option<int>("--seed") { Description = "Seed for ids and latencies", DefaultValueFactory = _ => 1 };
using var signals = new StopSignals();
var root = new RootCommand("EnaRemediate simulator: a loopback EC2 (Query/XML) + SSM (JSON 1.1) endpoint with a simulated fleet.");
root.Options.Add(scenario);
root.Options.Add(instances);
root.Options.Add(port);
root.Options.Add(speed);
root.Options.Add(seed);
root.SetAction(async (parse, ct) =>
{
    SimulatorHost host;
    try
    {
        host = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Scenario = parse.GetValue(scenario)!,
            Instances = parse.GetValue(instances),
            Port = parse.GetValue(port),
            Speed = parse.GetValue(speed),
            Seed = parse.GetValue(seed),
        }, ct);
    }
    catch (Exception e) when (e is ArgumentException or IOException)
    {
        Console.Error.WriteLine($"enaremediate-simulator: {e.Message}");
        return 64;
    }
    await using (host)
    {
        Console.WriteLine(host.Endpoint);
        Console.Error.WriteLine($"{host.World.Instances.Count} instances; EC2 and SSM at {host.Endpoint} (region {EnaRemediate.Simulator.World.SimulatedWorld.Region}); Ctrl-C or SIGTERM stops.");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            // A stop signal: fall through to a clean shutdown.
        }
        // The last stdout line: what was asked of the simulator, for whoever started it (tests count StopInstances).
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { requests = host.World.Counters.Snapshot() }));
    }
    Console.Error.WriteLine($"enaremediate-simulator: stopped ({signals.Received ?? "cancelled"}).");
    return 0;
});
// ProcessTerminationTimeout = null: our own handlers turn the signals into the token, and the host shuts down in order.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Stopping);
