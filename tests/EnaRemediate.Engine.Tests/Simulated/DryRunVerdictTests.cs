using Amazon.EC2.Model;
using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Engine.Tests.Simulated;

/// <summary>
/// What a dry run says of each call, against the simulator's EC2: the stopped-only
/// ModifyInstanceAttribute calls of a running instance are "checked once stopped", not refused;
/// a denied permission is refused with EC2's message once; a stopped instance's are really checked.
/// </summary>
public sealed class DryRunVerdictTests
{
    private static Task<StartResult> DryRunAsync(SimulatedEngine sim, string id) =>
        sim.Service.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, DryRun: true, "test", null));

    [Fact]
    public async Task TheStoppedOnlyCallsOfARunningInstanceAreCheckedOnceStoppedNotRefused()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1);
        var id = sim.InstanceIds.Single();

        var calls = Assert.Single((await DryRunAsync(sim, id)).Instances).PlannedCalls;

        var ena = calls.Where(c => c.Description.Contains("EnaSupport=", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, ena.Count);
        Assert.All(ena, c => Assert.Equal(DryRunVerdicts.CheckedOnceStopped, c.DryRunVerdict));
        Assert.All(ena, c => Assert.StartsWith("will be checked once the instance is stopped", c.DryRunCheck, StringComparison.Ordinal));
        Assert.All(calls, c => Assert.DoesNotContain("refused", c.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.All(calls.Where(c => c.AwsAction is "ec2:StopInstances" or "ec2:StartInstances"), c => Assert.Equal(DryRunVerdicts.Permitted, c.DryRunVerdict));
        Assert.All(calls.Where(c => c.AwsAction == "ssm:SendCommand"), c => Assert.Equal((DryRunVerdicts.NoDryRun, "no dry run: SSM has no DryRun"), (c.DryRunVerdict, c.DryRunCheck)));
        Assert.Equal("running", sim.World.Instance(id).State);
    }

    [Fact]
    public async Task ADeniedPermissionIsRefusedWithEc2sMessageExactlyOnce()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1, arrange: w =>
        {
            w.Permissions.Deny("StopInstances");
            w.Permissions.Deny("ModifyInstanceAttribute");
        });
        var id = sim.InstanceIds.Single();

        var calls = Assert.Single((await DryRunAsync(sim, id)).Instances).PlannedCalls;

        var refused = calls.Where(c => c.AwsAction is "ec2:StopInstances" or "ec2:ModifyInstanceAttribute").ToList();
        Assert.Equal(4, refused.Count);
        foreach (var call in refused)
        {
            Assert.Equal(DryRunVerdicts.Refused, call.DryRunVerdict);
            Assert.Equal("refused by EC2 DryRun: UnauthorizedOperation: You are not authorized to perform this operation.", call.DryRunCheck);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(call.ToString(), "not authorized"));
        }
        Assert.All(calls.Where(c => c.AwsAction == "ec2:StartInstances"), c => Assert.Equal(DryRunVerdicts.Permitted, c.DryRunVerdict));
    }

    [Fact]
    public async Task AStoppedInstancesEnaCallsAreReallyChecked()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1);
        var id = sim.InstanceIds.Single();
        var (ec2, _) = EngineFactory.CreateClients(new AwsConnection("us-east-1", sim.Host.Endpoint.ToString(), new BasicAWSCredentials("test", "test")));
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        sim.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("stopped", sim.World.Instance(id).State);

        var calls = Assert.Single((await DryRunAsync(sim, id)).Instances).PlannedCalls;

        var ena = calls.Where(c => c.Description.Contains("EnaSupport=", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, ena.Count);
        Assert.All(ena, c => Assert.Equal((DryRunVerdicts.Permitted, "permitted by EC2 DryRun (DryRunOperation)"), (c.DryRunVerdict, c.DryRunCheck)));
        Assert.True(sim.World.Instance(id).EnaSupport);
    }
}
