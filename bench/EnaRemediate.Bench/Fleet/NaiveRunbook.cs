using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// The naive strategy the engine must beat (issue 13): what a boto3 runbook with one thread per
/// instance does. One call per instance per action (no batching), botocore's EC2 waiters (a
/// first look at once, then every 15 s, 40 attempts: InstanceStopped, InstanceRunning,
/// InstanceStatusOk), SSM Online and the install polled at the same 15 s cadence (botocore's
/// CommandExecuted waiter gives up after 100 s, shorter than a DKMS build), the SDK's default
/// retries. Any error the SDK gives up on loses the instance, as it would lose it in a script.
/// </summary>
internal sealed class NaiveRunbook(IAmazonEC2 ec2, IAmazonSimpleSystemsManagement ssm, VirtualClock clock, EngineOptions options)
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(15);
    private const int Attempts = 40;

    /// <summary>One instance's end: recovered, or lost and why.</summary>
    public sealed record Outcome(string InstanceId, bool Recovered, string? Reason, bool Throttled, double Seconds);

    private sealed class GaveUpException(string message) : Exception(message);

    public async Task<Outcome> RecoverAsync(string instanceId)
    {
        var start = clock.GetUtcNow();
        try
        {
            await StopAsync(instanceId);
            await ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = instanceId, EnaSupport = false });
            await ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [instanceId] });
            await WaitAsync("InstanceRunning", () => StateIsAsync(instanceId, "running", "shutting-down", "terminated", "stopping"));
            await WaitAsync("SsmOnline", () => OnlineAsync(instanceId));
            await InstallAsync(instanceId);
            await StopAsync(instanceId);
            await ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = instanceId, EnaSupport = true });
            await ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [instanceId] });
            await WaitAsync("InstanceStatusOk", () => StatusOkAsync(instanceId));
            return new Outcome(instanceId, true, null, false, Elapsed(start));
        }
        catch (AmazonServiceException e)
        {
            return new Outcome(instanceId, false, $"{e.ErrorCode}: {e.Message}", e.ErrorCode == "RequestLimitExceeded", Elapsed(start));
        }
        catch (GaveUpException e)
        {
            return new Outcome(instanceId, false, e.Message, false, Elapsed(start));
        }
    }

    private double Elapsed(DateTimeOffset start) => (clock.GetUtcNow() - start).TotalSeconds;

    private async Task StopAsync(string instanceId)
    {
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [instanceId] });
        await WaitAsync("InstanceStopped", () => StateIsAsync(instanceId, "stopped", "pending", "terminated"));
    }

    private async Task InstallAsync(string instanceId)
    {
        var parameters = options.InstallParameters.ToDictionary(p => p.Key, p => p.Value.ToList());
        var sent = await ssm.SendCommandAsync(new SendCommandRequest { DocumentName = options.InstallDocument, InstanceIds = [instanceId], Parameters = parameters });
        var commandId = sent.Command.CommandId;
        await WaitAsync("CommandExecuted", async () =>
        {
            try
            {
                var status = (await ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = commandId, InstanceId = instanceId })).Status.Value;
                return status switch
                {
                    "Success" => true,
                    "Pending" or "InProgress" or "Delayed" => false,
                    _ => throw new GaveUpException($"the driver install ended {status}"),
                };
            }
            catch (InvocationDoesNotExistException)
            {
                return false; // SSM does not know the invocation yet; botocore's waiter retries this too.
            }
        });
    }

    /// <summary>A botocore waiter: look now, then every 15 s; false means not yet.</summary>
    private async Task WaitAsync(string name, Func<Task<bool>> satisfied)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            if (await satisfied())
            {
                return;
            }
            if (attempt < Attempts)
            {
                await clock.SleepAsync(Delay);
            }
        }
        throw new GaveUpException($"waiter {name}: max attempts exceeded");
    }

    private async Task<bool> StateIsAsync(string instanceId, string wanted, params string[] failures)
    {
        var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] });
        var state = response.Reservations?.SelectMany(r => r.Instances ?? []).Select(i => i.State?.Name?.Value).FirstOrDefault();
        if (state is not null && failures.Contains(state))
        {
            throw new GaveUpException($"waiter for {wanted}: the instance is {state}");
        }
        return state == wanted;
    }

    private async Task<bool> OnlineAsync(string instanceId)
    {
        var response = await ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest
        {
            Filters = [new InstanceInformationStringFilter { Key = "InstanceIds", Values = [instanceId] }],
        });
        return response.InstanceInformationList?.Any(i => i.PingStatus?.Value == "Online") == true;
    }

    private async Task<bool> StatusOkAsync(string instanceId)
    {
        var response = await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [instanceId] });
        var statuses = response.InstanceStatuses ?? [];
        return statuses.Count > 0 && statuses.All(s => s.Status?.Status?.Value == "ok");
    }

    /// <summary>The whole fleet, one worker per instance, on the virtual clock; same fleet and seed as the engine's run.</summary>
    /// <param name="routes">the engine's route for each instance (<see cref="FleetRoutes"/>): the floor is the same for every strategy.</param>
    public static async Task<FleetRunReport> RunAsync(string scenario, int instances, int seed, IReadOnlyDictionary<string, string> routes)
    {
        var clock = new VirtualClock(EngineFleetRun.Start);
        await using var host = await Simulator.SimulatorHost.StartAsync(new Simulator.SimulatorOptions { Scenario = scenario, Instances = instances, Seed = seed, Clock = clock });
        var (ec2, ssm) = VirtualTimeClients.Create(host.Endpoint, clock);
        using (ec2)
        using (ssm)
        {
            var runbook = new NaiveRunbook(ec2, ssm, clock, new EngineOptions().WithDriver(EngineFleetRun.Sha256));
            var ids = host.World.Instances.Select(i => i.InstanceId).ToList();
            var outcomes = new Outcome[ids.Count];
            using var meter = RunMeter.ForClientInProcess(host.World);
            await clock.RunAllAsync(ids.Select((id, n) => (Func<Task>)(async () => outcomes[n] = await runbook.RecoverAsync(id))).ToList());
            var cost = meter.Stop();
            foreach (var reason in outcomes.Where(o => !o.Recovered).GroupBy(o => o.Reason))
            {
                Console.Error.WriteLine($"baseline: {reason.Count()} x {reason.Key}");
            }
            return FleetRunReport.From(scenario, seed, host.World, routes, (clock.GetUtcNow() - EngineFleetRun.Start).TotalSeconds,
                outcomes.Select(o => (o.Seconds, o.Recovered ? "recovered" : "failed")).ToList(),
                outcomes.Count(o => o.Throttled),
                cost);
        }
    }
}
