using Amazon.EC2.Model;
using EnaRemediate.Simulator.Scenarios;

namespace EnaRemediate.Simulator.Tests;

/// <summary>Every shipped scenario loads, starts broken as described, and scales.</summary>
public sealed class ScenarioTests
{
    public static TheoryData<string> Scenarios => new(ScenarioLoader.BuiltIn);

    [Fact]
    public void All_required_scenarios_are_shipped()
    {
        Assert.Equal(
            ["asg-member", "healthy", "instance-store", "kernel-update", "mixed-fleet", "nitro-fleet", "nitro-required", "opsworks-legacy", "pending-kernel-update", "pv-ena"],
            ScenarioLoader.BuiltIn);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Each_scenario_starts_with_checks_run_broken_ones_impaired_and_healthy_ones_ok(string scenario)
    {
        await using var sim = await Sim.StartAsync(scenario);
        var statuses = (await sim.Ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest())).InstanceStatuses;
        Assert.Equal(sim.World.Instances.Count, statuses.Count);
        foreach (var status in statuses)
        {
            var name = sim.World.Instance(status.InstanceId).Tags["Name"];
            var pendingButUp = scenario == "pending-kernel-update" && !name.StartsWith("broken-", StringComparison.Ordinal);
            var expected = scenario == "healthy" || name.StartsWith("healthy-", StringComparison.Ordinal) || pendingButUp ? "ok" : "impaired";
            Assert.True(expected == status.Status.Status.Value, $"{scenario}/{name}: {status.Status.Status.Value}");
        }
    }

    [Fact]
    public async Task Scenarios_mark_opt_in_auto_scaling_and_opsworks_instances_with_their_tags()
    {
        await using var asg = await Sim.StartAsync("asg-member");
        Assert.All(await asg.InstancesAsync(), i => Assert.Contains(i.Tags, t => t.Key == "aws:autoscaling:groupName"));
        await using var opsworks = await Sim.StartAsync("opsworks-legacy");
        Assert.All(await opsworks.InstancesAsync(), i => Assert.Contains(i.Tags, t => t.Key == "opsworks:stack"));
        await using var mixed = await Sim.StartAsync("mixed-fleet");
        var notOptedIn = await mixed.InstancesAsync(new Filter("tag:Name", ["not-opted-in-*"]));
        Assert.DoesNotContain(notOptedIn.Single().Tags, t => t.Key == "EnaRemediate:OptIn");
    }

    [Fact]
    public async Task Instances_scales_a_scenario_in_its_proportions()
    {
        Assert.Equal([3, 2, 1], ScenarioLoader.Scale([Group(3), Group(2), Group(1)], 6));
        Assert.Equal([50, 33, 17], ScenarioLoader.Scale([Group(3), Group(2), Group(1)], 100));
        Assert.Equal(7, ScenarioLoader.Scale([Group(3), Group(2), Group(1)], 7).Sum());
        Assert.Throws<ArgumentOutOfRangeException>(() => ScenarioLoader.Scale([Group(1)], 0));
        await using var sim = await Sim.StartAsync("kernel-update", instances: 40);
        Assert.Equal(40, sim.World.Instances.Count);
        Assert.Equal(40, sim.World.Instances.Select(i => i.InstanceId).Distinct().Count());
    }

    [Fact]
    public async Task Unknown_or_invalid_scenarios_are_clear_errors()
    {
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "no-such-fleet" }));
        Assert.Contains("mixed-fleet", unknown.Message);
        var path = Path.Combine(Path.GetTempPath(), $"sim-bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, "{ \"name\": \"bad\", \"groups\": [ { \"name\": \"g\", \"instanceTypes\": [\"q9.huge\"], \"image\": \"none\" } ] }");
        try
        {
            var invalid = await Assert.ThrowsAsync<ArgumentException>(() => SimulatorHost.StartAsync(new SimulatorOptions { Scenario = path }));
            Assert.Contains("unknown image", invalid.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static ScenarioGroup Group(int count) => new() { Name = "g", Count = count, InstanceTypes = ["r4.large"], Image = "i" };
}
