using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Triage;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.AutoScaling;

/// <summary>
/// Auto Scaling members on the simulator through the real AWS SDK (EC2, SSM) and the signed Query
/// client (Auto Scaling): refused without consent, moved to Standby and back with it (on success
/// and on rollback), and remediated as they are when already in Standby.
/// </summary>
public sealed class AutoScalingJourneyTests
{
    private const string Group = "web-asg";

    private static RemediationRequest Request(string id, bool consent) =>
        new([id], RemediationMode.Remediate, DryRun: false, "test", null)
        {
            PlanOptions = consent ? new Dictionary<string, string> { [AutoScalingRule.ConsentOption] = "true" } : new Dictionary<string, string>(),
        };

    private static async Task<AdvanceResult> RunAsync(SimulatedEngine sim, string id, bool consent)
    {
        var started = await sim.Service.StartAsync(Request(id, consent));
        return started.RemediationIds.Count == 0
            ? await sim.Service.AdvanceAsync([started.Instances.Single().RemediationId!])
            : await sim.RunAsync(started.RemediationIds);
    }

    [Fact]
    public async Task Without_consent_an_InService_member_is_refused_with_the_flag_and_the_command_and_nothing_is_called()
    {
        await using var sim = await SimulatedEngine.StartAsync("asg-member", instances: 1);
        var id = sim.InstanceIds.Single();

        var result = await RunAsync(sim, id, consent: false);

        var record = Assert.Single(result.Records);
        Assert.Equal(Outcomes.Refused, record.Outcome);
        Assert.Contains($"InService in Auto Scaling group '{Group}'", record.OutcomeReason);
        Assert.Contains("--asg-standby", record.OutcomeReason);
        Assert.Contains($"aws autoscaling enter-standby --auto-scaling-group-name {Group} --instance-ids {id}", record.OutcomeReason);
        Assert.Equal(1, sim.World.Counters["DescribeAutoScalingInstances"]);
        Assert.Equal((0L, 0L), (sim.World.Counters["EnterStandby"], sim.World.Counters["StopInstances"]));
        Assert.Equal("InService", sim.Host.AutoScaling.LifecycleState(id));
    }

    [Fact]
    public async Task With_consent_the_member_enters_Standby_is_recovered_and_exits_Standby()
    {
        await using var sim = await SimulatedEngine.StartAsync("asg-member", instances: 1);
        var id = sim.InstanceIds.Single();
        var desired = sim.Host.AutoScaling.DesiredCapacity(Group);

        var result = await RunAsync(sim, id, consent: true);

        var summary = Assert.Single(result.Records);
        Assert.True(summary.Outcome == Outcomes.Recovered, $"{summary.Outcome}: {summary.OutcomeReason}");
        Assert.Equal((1L, 1L), (sim.World.Counters["EnterStandby", id], sim.World.Counters["ExitStandby", id]));
        Assert.Equal("InService", sim.Host.AutoScaling.LifecycleState(id));
        Assert.Equal(desired, sim.Host.AutoScaling.DesiredCapacity(Group));
        var record = (await sim.Store.GetAsync(summary.RemediationId))!;
        // The undo was on the record before the first stop, and Standby was entered before it.
        var steps = record.History.Select(h => h.Step).Distinct().ToList();
        Assert.True(steps.IndexOf("enter-standby") < steps.IndexOf("stop"), string.Join(" > ", steps));
        Assert.Contains(record.UndoLog, u => u.Action == Core.Plans.Standby.StandbyPlan.UndoExitStandby);
        Assert.DoesNotContain(summary.Story!.RemainingChanges, c => c.Contains("Standby", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rollback_takes_the_member_out_of_Standby_too()
    {
        await using var sim = await SimulatedEngine.StartAsync("asg-member", instances: 1, arrange: w => w.Faults.For(w.Instances[0].InstanceId).DriverBuildFails = true);
        var id = sim.InstanceIds.Single();

        var result = await RunAsync(sim, id, consent: true);

        var summary = Assert.Single(result.Records);
        Assert.True(summary.Outcome == Outcomes.RolledBack, $"{summary.Outcome}: {summary.OutcomeReason}");
        Assert.Equal((1L, 1L), (sim.World.Counters["EnterStandby", id], sim.World.Counters["ExitStandby", id]));
        Assert.Equal("InService", sim.Host.AutoScaling.LifecycleState(id));
        Assert.Equal("running", sim.World.Instance(id).State);
    }

    [Fact]
    public async Task A_member_already_in_Standby_is_remediated_and_left_in_Standby()
    {
        await using var sim = await SimulatedEngine.StartAsync("asg-member", instances: 1);
        var id = sim.InstanceIds.Single();
        sim.Host.AutoScaling.SetStandby(id);

        var result = await RunAsync(sim, id, consent: false);

        var summary = Assert.Single(result.Records);
        Assert.True(summary.Outcome == Outcomes.Recovered, $"{summary.Outcome}: {summary.OutcomeReason}");
        Assert.Equal((0L, 0L), (sim.World.Counters["EnterStandby"], sim.World.Counters["ExitStandby"]));
        Assert.Equal("Standby", sim.Host.AutoScaling.LifecycleState(id));
    }

    [Fact]
    public async Task When_Standby_cannot_be_entered_the_instance_is_never_stopped()
    {
        await using var sim = await SimulatedEngine.StartAsync("asg-member", instances: 1, arrange: w => w.Permissions.Deny("EnterStandby"));
        var id = sim.InstanceIds.Single();

        var result = await RunAsync(sim, id, consent: true);

        var summary = Assert.Single(result.Records);
        Assert.True(summary.Outcome == Outcomes.Failed, $"{summary.Outcome}: {summary.OutcomeReason}");
        Assert.Contains("nothing had been changed", summary.OutcomeReason);
        Assert.Equal((0L, 0L), (sim.World.Counters["StopInstances"], sim.World.Counters["ExitStandby"]));
        Assert.Equal(("running", true), (sim.World.Instance(id).State, sim.World.Instance(id).EnaSupport));
        Assert.Equal("InService", sim.Host.AutoScaling.LifecycleState(id));
    }
}
