using System.Reflection;
using EnaRemediate.Core;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.ReregisterAmi;

/// <summary>
/// The guarantee that matters most for instance-store instances (their data is on ephemeral disks):
/// nothing ever asks EC2 to stop, reboot or terminate one. Checked on the code (no step can) and on
/// the simulator's per-instance request counters, in every scenario, with launchReplacement on.
/// </summary>
public sealed class NeverStopsInstanceStoreTests
{
    private static readonly string[] Destructive = ["StopInstances", "RebootInstances", "TerminateInstances"];

    public static TheoryData<string> Scenarios => new(typeof(SimulatedWorld).Assembly.GetManifestResourceNames()
        .Where(n => n.EndsWith(".json", StringComparison.Ordinal)).Select(n => n.Split('.')[^2]).Distinct());

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task NoScenarioEverStopsRebootsOrTerminatesAnInstanceStoreInstance(string scenario)
    {
        await using var sim = await AmiSimulation.StartAsync(scenario);
        var instanceStore = sim.InstanceStoreIds;
        var booted = instanceStore.ToDictionary(id => id, id => sim.World.Instance(id).BootedAt);

        var (started, result) = await sim.RemediateAsync(sim.Engine.InstanceIds, launchReplacement: true);

        Assert.All(result.Records, r => Assert.NotNull(r.Outcome));
        foreach (var id in instanceStore)
        {
            Assert.All(Destructive, action => Assert.True(sim.Counters[action, id] == 0, $"{scenario}: {action} named instance-store {id}"));
            Assert.Equal("running", sim.World.Instance(id).State);
            Assert.Equal(booted[id], sim.World.Instance(id).BootedAt);
            var outcome = started.Instances.Single(i => i.InstanceId == id);
            Assert.True(outcome.Plan == "reregister-ami" || outcome.RefusalCode is not null, $"{id}: plan {outcome.Plan}");
        }
        // The engine reboots and terminates nothing at all, whatever the plan.
        Assert.Equal(0, sim.Counters["RebootInstances"] + sim.Counters["TerminateInstances"]);
    }

    [Fact]
    public async Task TheInstanceStoreScenarioEndsWithAnImageAndAReplacementPerInstance()
    {
        await using var sim = await AmiSimulation.StartAsync("instance-store");
        var ids = sim.InstanceStoreIds;
        Assert.NotEmpty(ids);

        var (_, result) = await sim.RemediateAsync(ids, launchReplacement: true);

        Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.AmiRegistered, $"{r.InstanceId}: {r.Outcome}: {r.OutcomeReason}"));
        // Both instances share one AMI: the second finds the first one's copy (or its name) instead of registering again.
        Assert.Equal(1, sim.Counters["RegisterImage"]);
        Assert.Equal(ids.Count, sim.Counters["RunInstances"]);
        Assert.All(ids, id => Assert.Equal(0, Destructive.Sum(a => sim.Counters[a, id])));
    }

    [Fact]
    public void NoStepOfThePlanDeclaresAPermissionThatCouldStopRebootOrTerminate()
    {
        var plan = new ReregisterAmiPlan(new NoImages(), TimeProvider.System);
        var declared = plan.Steps.Append(plan.Rollback!).SelectMany(s => s.Permissions).ToHashSet(StringComparer.Ordinal);
        var onPorts = new[] { typeof(IEc2Port), typeof(ISsmPort), typeof(IImagePort) }
            .SelectMany(t => t.GetMethods()).SelectMany(m => m.GetCustomAttributes<AwsActionAttribute>()).Select(a => a.Action).ToHashSet(StringComparer.Ordinal);
        var imagePort = typeof(IImagePort).GetMethods().SelectMany(m => m.GetCustomAttributes<AwsActionAttribute>()).Select(a => a.Action).ToList();

        // The rollback only ends the record with what remains: it makes no call.
        Assert.Empty(plan.Rollback!.Permissions);
        Assert.Contains("ec2:RegisterImage", declared);
        Assert.Contains("ssm:SendCommand", declared);
        Assert.All(declared, p => Assert.Contains(p, onPorts));
        Assert.All(Destructive, a => Assert.DoesNotContain("ec2:" + a, declared));
        Assert.All(Destructive, a => Assert.DoesNotContain("ec2:" + a, imagePort));
        // Every step that can act may act on a running instance (the waiting steps act from no state at all).
        Assert.All(plan.Steps.Where(s => s.ValidOriginStates.Count > 0), s => Assert.Contains("running", s.ValidOriginStates));
        Assert.DoesNotContain("ec2:ModifyInstanceAttribute", declared);
    }

    /// <summary>A port no test call reaches: the plan is only inspected here.</summary>
    private sealed class NoImages : IImagePort
    {
        public Task<Ec2Image?> DescribeImageAsync(string imageId, CancellationToken ct) => Task.FromResult<Ec2Image?>(null);
        public Task<IReadOnlyList<Ec2Image>> FindOwnImagesAsync(string? name, KeyValuePair<string, string>? tag, CancellationToken ct) => Task.FromResult<IReadOnlyList<Ec2Image>>([]);
        public Task<string> RegisterImageAsync(ImageRegistration registration, CancellationToken ct) => Task.FromResult("ami-00000000");
        public Task TagImageAsync(string imageId, IReadOnlyDictionary<string, string> tags, CancellationToken ct) => Task.CompletedTask;
        public Task<LaunchSettings?> DescribeLaunchSettingsAsync(string instanceId, CancellationToken ct) => Task.FromResult<LaunchSettings?>(null);
        public Task<string?> DescribeUserDataAsync(string instanceId, CancellationToken ct) => Task.FromResult<string?>(null);
        public Task<string> RunInstanceAsync(ReplacementLaunch launch, string? userData, CancellationToken ct) => Task.FromResult("i-00000000");
    }
}
