using Amazon.EC2.Model;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.ReregisterAmi;

namespace EnaRemediate.Engine.Tests.ReregisterAmi;

/// <summary>Sources that cannot be re-registered are refused with what to do instead, and nothing is registered or touched.</summary>
public sealed class RefusalTests
{
    [Fact]
    public async Task ADeregisteredSourceIsRefusedWithTheBundleAndUploadPath()
    {
        await using var sim = await AmiSimulation.StartAsync();
        var id = sim.InstanceOf("batch");
        await sim.Ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = sim.ImageOf(id) });

        var (_, result) = await sim.RemediateAsync([id]);

        var record = await sim.RecordAsync(Assert.Single(result.Records).RemediationId);
        Assert.Equal(Outcomes.Refused, record.Outcome);
        Assert.Equal(SourceImageJudge.Deregistered, record.Memo[AmiMemo.RefusalCode]);
        Assert.Contains("ec2-bundle-vol", record.OutcomeReason);
        Assert.Contains("ec2-upload-bundle", record.OutcomeReason);
        AssertNothingRegisteredOrTouched(sim, id);
    }

    [Fact]
    public async Task ASourceOwnedByAnotherAccountIsRefusedWithTheBundleAndUploadPath()
    {
        await using var sim = await AmiSimulation.StartAsync();
        var id = sim.InstanceOf("vendor");

        var (_, result) = await sim.RemediateAsync([id]);

        var record = await sim.RecordAsync(Assert.Single(result.Records).RemediationId);
        Assert.Equal(Outcomes.Refused, record.Outcome);
        Assert.Equal(SourceImageJudge.NotOwned, record.Memo[AmiMemo.RefusalCode]);
        Assert.Contains("999988887777", record.OutcomeReason);
        Assert.Contains("ec2-upload-bundle", record.OutcomeReason);
        AssertNothingRegisteredOrTouched(sim, id);
    }

    [Fact]
    public async Task AnEbsBackedImageIsTheWrongPlan()
    {
        await using var sim = await AmiSimulation.StartAsync();
        var ebs = (await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest { Filters = [new Filter("root-device-type", ["ebs"])] })).Images.Single();

        var result = await new ImageOnlyRegistration(sim.Registrar()).RegisterAsync(ebs.ImageId, "cli-test", CancellationToken.None);

        Assert.Equal(SourceImageJudge.EbsBacked, result.Refusal?.Code);
        Assert.Contains("wrong plan", result.Refusal!.Reason);
        Assert.Contains("fallback", result.Refusal.Reason);
        Assert.Equal(0, sim.Counters["RegisterImage"]);
    }

    [Fact]
    public async Task AParavirtualImageIsRefusedBecauseEnaNeverApplies()
    {
        await using var sim = await AmiSimulation.StartAsync("pv-ena");
        var pv = sim.World.Instances[0].ImageId;

        var result = await new ImageOnlyRegistration(sim.Registrar()).RegisterAsync(pv, "cli-test", CancellationToken.None);

        Assert.Equal(SourceImageJudge.Paravirtual, result.Refusal?.Code);
        Assert.Contains("ENA never applies", result.Refusal!.Reason);
        Assert.Equal(0, sim.Counters["RegisterImage"]);
    }

    [Fact]
    public async Task AnUnknownImageIdIsRefusedAsDeregisteredNotACrash()
    {
        await using var sim = await AmiSimulation.StartAsync("instance-store");

        var result = await new ImageOnlyRegistration(sim.Registrar()).RegisterAsync("ami-0123456789abcdef0", "cli-test", CancellationToken.None);

        Assert.Equal(SourceImageJudge.Deregistered, result.Refusal?.Code);
        Assert.Equal(0, sim.Counters["RegisterImage"]);
    }

    private static void AssertNothingRegisteredOrTouched(AmiSimulation sim, string id)
    {
        Assert.Equal(0, sim.Counters["RegisterImage"] + sim.Counters["CreateTags"] + sim.Counters["RunInstances"]);
        Assert.Equal(0, sim.Counters["StopInstances", id] + sim.Counters["RebootInstances", id] + sim.Counters["TerminateInstances", id]);
        Assert.Equal("running", sim.World.Instance(id).State);
    }
}
