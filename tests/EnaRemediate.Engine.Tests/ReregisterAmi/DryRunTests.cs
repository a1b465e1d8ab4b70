using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Engine.Tests.ReregisterAmi;

/// <summary>A dry run of the plan lists its image calls and makes none of them (not even a DryRun stop of the instance).</summary>
public sealed class ReregisterAmiDryRunTests
{
    [Fact]
    public async Task ADryRunListsTheImageCallsAndChangesNothing()
    {
        await using var sim = await AmiSimulation.StartAsync("instance-store");
        var id = sim.InstanceStoreIds[0];

        var started = await sim.Engine.Service.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, DryRun: true, "test", null));

        var instance = Assert.Single(started.Instances);
        Assert.Equal((Core.Triage.PlanNames.ReregisterAmi, Outcomes.DryRun), (instance.Plan, instance.Outcome));
        Assert.Contains(instance.PlannedCalls, c => c.AwsAction == "ec2:RegisterImage");
        Assert.DoesNotContain(instance.PlannedCalls, c => c.AwsAction is "ec2:StopInstances" or "ec2:StartInstances" or "ec2:ModifyInstanceAttribute");
        Assert.Equal(0, sim.Counters["RegisterImage"] + sim.Counters["CreateTags"] + sim.Counters["RunInstances"] + sim.Counters["StopInstances", id]);
    }
}
