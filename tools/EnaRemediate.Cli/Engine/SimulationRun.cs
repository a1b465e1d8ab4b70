using System.Diagnostics;
using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Simulator;
using EnaRemediate.Simulator.Time;

namespace EnaRemediate.Cli.Engine;

/// <summary>
/// One `simulate` run: start the embedded simulator, wait for its alarms (instance status
/// impaired, as the CloudWatch alarm on StatusCheckFailed_Instance would see it), remediate the
/// alarmed instances with the real engine through the real SDK, sleeping on the simulator's clock,
/// and describe how every instance ended. That clock is a <see cref="SteppedClock"/> from a fixed
/// start: it stands still during calls and jumps on every sleep, so one seed gives one run (the same
/// calls at the same simulated times) however busy the machine is, and no time is spent sleeping.
/// </summary>
internal sealed class SimulationRun
{
    /// <summary>A syntactically valid digest for the simulated install (the simulator checks shape, not content).</summary>
    public const string SimulatedDriverSha256 = "5f1c2b7e0d9a4c3b8e6f1a2d3c4b5a6978e1f0d2c3b4a5968778695a4b3c2d1e";
    private static readonly TimeSpan AlarmPeriod = TimeSpan.FromSeconds(60);

    /// <summary>Where every run's simulated clock starts, whatever the day: dates in a run (image names, the report's times) repeat too.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The run's report, its timeline (one row per instance) for --report, and the wall time it took (not part of the report: it differs run to run).</summary>
    public sealed record Outcome(SimulationReport Report, IReadOnlyList<Report.TimelineRow> Timeline, TimeSpan Wall);

    /// <param name="pace">null: as fast as the machine computes it; X: X simulated seconds per real second, to watch it (the same run).</param>
    public static async Task<Outcome> RunAsync(SimulatorOptions simulatorOptions, double? pace, Action<AdvanceResult> onProgress, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var clock = new SteppedClock(Epoch, pace);
        await using var host = await SimulatorHost.StartAsync(simulatorOptions with { Clock = clock }, ct);
        var startedAt = clock.GetUtcNow();
        var counter = new CallCounter(clock);
        var connection = new AwsConnection("us-east-1", host.Endpoint.ToString(), new BasicAWSCredentials("test", "test"));
        var (ec2Client, ssmClient) = EngineFactory.CreateClients(connection);
        var ec2 = new Ec2Adapter(ec2Client);
        var store = new InMemoryRemediationStore();
        // The polling jitter follows the run's seed, so one seed gives one sequence of calls.
        var options = new EngineOptions { JitterSeed = simulatorOptions.Seed }.WithDriver(SimulatedDriverSha256) with { Nitro = new NitroOptions { RescueImages = RescueImages(host.World) } };
        var service = new RemediationService(counter.Wrap(ec2), counter.Wrap(new SsmAdapter(ssmClient)), store,
            options, clock, images: new ImageAdapter(ec2Client), nitro: new NitroAdapter(ec2Client),
            autoScaling: new Aws.AutoScaling.AutoScalingQueryClient(connection, clock));

        var all = host.World.Instances.Select(i => i.InstanceId).ToList();
        var alarmed = await WaitForAlarmsAsync(ec2, all, clock, ct);
        var started = await service.StartAsync(new RemediationRequest(alarmed, RemediationMode.Remediate, DryRun: false, "alarm", "StatusCheckFailed_Instance"), ct);
        // Stopped by a signal, the loop ends after the Advance in flight, and the report says where each instance stands.
        var result = started.RemediationIds.Count == 0
            ? new AdvanceResult(true, 0, [])
            : (await RemediationLoop.RunAsync(service, started.RemediationIds, clock, onProgress, ct)).Last ?? new AdvanceResult(false, 0, []);
        var now = clock.GetUtcNow();
        var report = SimulationReport.Build(simulatorOptions, host.World, started, result, all, counter, service.ThrottledCalls, (now - startedAt).TotalSeconds, now);
        var types = report.Instances.ToDictionary(i => i.InstanceId, i => $"{i.InstanceType}, plan {i.Plan}", StringComparer.Ordinal);
        var timeline = await Report.ReportOption.RowsAsync(store, all, now, id => types[id], id => (from, to) => counter.Between(id, from, to),
            SimulationReport.Healthy, "healthy: nothing to do (no alarm fired)", CancellationToken.None);
        return new Outcome(report, timeline, wall.Elapsed);
    }

    /// <summary>The scenario's rescue AMIs (named enaremediate-rescue-*), by architecture: what a deployment configures.</summary>
    private static IReadOnlyDictionary<string, string> RescueImages(Simulator.World.SimulatedWorld world) =>
        world.AllImages.Where(i => i.Name.StartsWith(RescueImagePrefix, StringComparison.Ordinal))
            .GroupBy(i => i.Architecture).ToDictionary(g => g.Key, g => g.First().ImageId, StringComparer.Ordinal);

    /// <summary>Name prefix of a scenario's rescue AMIs.</summary>
    public const string RescueImagePrefix = "enaremediate-rescue-";

    /// <summary>
    /// Polls the status checks like a 1-minute alarm until the impaired set has been stable for
    /// two periods after the first alarm (or ten minutes pass with none).
    /// </summary>
    private static async Task<IReadOnlyList<string>> WaitForAlarmsAsync(Ec2Adapter ec2, IReadOnlyList<string> ids, TimeProvider clock, CancellationToken ct)
    {
        var impaired = new SortedSet<string>(StringComparer.Ordinal);
        var stable = 0;
        for (var period = 0; period < 10 && stable < 2; period++)
        {
            var before = impaired.Count;
            foreach (var chunk in ids.Chunk(1000))
            {
                foreach (var (id, status) in await ec2.DescribeInstanceStatusAsync(chunk, ct))
                {
                    if (status.InstanceStatus == "impaired")
                    {
                        impaired.Add(id);
                    }
                }
            }
            stable = impaired.Count > 0 && impaired.Count == before ? stable + 1 : 0;
            if (stable < 2)
            {
                await Task.Delay(AlarmPeriod, clock, ct);
            }
        }
        return impaired.ToList();
    }
}
