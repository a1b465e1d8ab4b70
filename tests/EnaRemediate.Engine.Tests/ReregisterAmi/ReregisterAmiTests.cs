using Amazon.EC2.Model;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Engine.Tests.Fakes;

namespace EnaRemediate.Engine.Tests.ReregisterAmi;

/// <summary>The reregister-ami plan on the simulator through the real SDK: the copy, idempotency, resume after a crash, the replacement.</summary>
public sealed class ReregisterAmiTests
{
    [Fact]
    public async Task TheCopyCarriesEveryAttributeOfTheSourceWithEnaSupportOff()
    {
        await using var sim = await AmiSimulation.StartAsync();
        var id = sim.InstanceOf("batch");
        var sourceId = sim.ImageOf(id);
        await sim.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [sourceId], Tags = [new Tag("owner", "data-team"), new Tag("Name", "legacy batch")] });
        var source = (await sim.DescribeAsync(sourceId))!;

        var (_, result) = await sim.RemediateAsync([id]);

        var summary = Assert.Single(result.Records);
        Assert.True(summary.Outcome == Outcomes.AmiRegistered, $"{summary.Outcome}: {summary.OutcomeReason}");
        var record = await sim.RecordAsync(summary.RemediationId);
        var copy = (await sim.DescribeAsync(record.Memo[AmiMemo.NewImageId]))!;
        Assert.Equal("legacy-batch (2019)-ena-disabled-20261127", copy.Name);
        Assert.False(copy.EnaSupport);
        Assert.True(source.EnaSupport);
        Assert.Equal("available", copy.State.Value);
        Assert.Equal(source.ImageLocation, copy.ImageLocation);
        Assert.Equal("i386", copy.Architecture.Value);
        Assert.Equal(source.VirtualizationType, copy.VirtualizationType);
        Assert.Equal("instance-store", copy.RootDeviceType.Value);
        Assert.Equal(("aki-88aa75e1", "ari-1a2b3c4d"), (copy.KernelId, copy.RamdiskId));
        Assert.Equal("/dev/sda1", copy.RootDeviceName);
        Assert.Equal("uefi", copy.BootMode.Value);
        Assert.Equal("simple", copy.SriovNetSupport);
        Assert.Equal(source.Description, copy.Description);
        Assert.Equal(["/dev/sdb=ephemeral0", "/dev/sdc=ephemeral1"], copy.BlockDeviceMappings.Select(b => $"{b.DeviceName}={b.VirtualName}"));
        var tags = copy.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("data-team", tags["owner"]);
        Assert.Equal("legacy batch", tags["Name"]);
        Assert.Equal(sourceId, tags[AmiNaming.SourceImageTag]);
        Assert.Equal(record.RemediationId, tags[AmiNaming.RemediationIdTag]);
    }

    [Fact]
    public async Task TheResultSaysHowToLaunchALikeForLikeReplacementAndTheInstanceIsUntouched()
    {
        await using var sim = await AmiSimulation.StartAsync();
        var id = sim.InstanceOf("batch");
        var bootedAt = sim.World.Instance(id).BootedAt;

        var (_, result) = await sim.RemediateAsync([id]);

        var record = await sim.RecordAsync(Assert.Single(result.Records).RemediationId);
        var run = AmiSimulation.FromJson<ReplacementParameters>(record.Memo[AmiMemo.RunInstances])!;
        Assert.Equal(record.Memo[AmiMemo.NewImageId], run.ImageId);
        Assert.Equal("c3.large", run.InstanceType);
        Assert.Equal("subnet-0a1b2c3d4e5f60718", run.SubnetId);
        Assert.Equal(["sg-0123456789abcdef0", "sg-0fedcba9876543210"], run.SecurityGroupIds);
        Assert.Equal("ops-2019", run.KeyName);
        Assert.Equal("arn:aws:iam::123456789012:instance-profile/batch", run.IamInstanceProfileArn);
        Assert.Contains($"--instance-id {id} --attribute userData", run.UserDataReference);
        Assert.Equal("batch", run.Tags["team"]);
        Assert.Equal("batch-1", run.Tags["Name"]);
        Assert.Contains("ephemeral", run.Warning);
        Assert.Contains("aws ec2 run-instances --image-id '" + run.ImageId + "'", record.OutcomeReason);
        Assert.Contains("do not carry over", record.OutcomeReason);
        var instance = sim.World.Instance(id);
        Assert.Equal("running", instance.State);
        Assert.Equal(bootedAt, instance.BootedAt);
        Assert.True(instance.EnaSupport);
        Assert.Equal(0, sim.Counters["StopInstances"] + sim.Counters["RebootInstances"] + sim.Counters["TerminateInstances"] + sim.Counters["RunInstances"]);
    }

    [Fact]
    public async Task ASecondRequestForTheSameSourceReusesTheImageInsteadOfRegisteringAnother()
    {
        await using var sim = await AmiSimulation.StartAsync();
        var id = sim.InstanceOf("batch");
        var (_, first) = await sim.RemediateAsync([id]);
        var firstImage = (await sim.RecordAsync(first.Records[0].RemediationId)).Memo[AmiMemo.NewImageId];

        var (_, second) = await sim.RemediateAsync([id]);
        var again = await sim.RecordAsync(Assert.Single(second.Records).RemediationId);
        var byImageId = await new ImageOnlyRegistration(sim.Registrar()).RegisterAsync(sim.ImageOf(id), "cli-test", CancellationToken.None);

        Assert.Equal(Outcomes.AmiRegistered, again.Outcome);
        Assert.Equal(firstImage, again.Memo[AmiMemo.NewImageId]);
        Assert.Equal("true", again.Memo[AmiMemo.Reused]);
        Assert.Contains("reused", again.OutcomeReason);
        Assert.Equal((firstImage, true), (byImageId.ImageId, byImageId.Reused));
        Assert.Equal(1, sim.Counters["RegisterImage"]);
        Assert.Single(await sim.CopiesOfAsync(sim.ImageOf(id)));
        // The copy keeps the id of the remediation that made it.
        var tags = (await sim.DescribeAsync(firstImage))!.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal(first.Records[0].RemediationId, tags[AmiNaming.RemediationIdTag]);
    }

    [Fact]
    public async Task ACrashBetweenRegisterImageAndTaggingIsResumedByNameWithoutASecondImage()
    {
        await using var sim = await AmiSimulation.StartAsync();
        var id = sim.InstanceOf("batch");
        CrashingImages? crashing = null;
        var dying = sim.Service(images => crashing = new CrashingImages(images, "RegisterImage"));
        var started = await dying.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, false, "test", null));
        await Assert.ThrowsAsync<SimulatedCrash>(() => sim.Engine.RunAsync(started.RemediationIds, dying));
        Assert.True(crashing!.Fired);
        var crashed = await sim.RecordAsync(started.RemediationIds[0]);
        Assert.False(crashed.Memo.ContainsKey(AmiMemo.NewImageId));
        var intended = crashed.Memo[AmiMemo.IntendedName];
        Assert.Single(await sim.CopiesOfAsync(sim.ImageOf(id)));

        var result = await sim.Engine.RunAsync(started.RemediationIds, sim.Service());

        var record = await sim.RecordAsync(Assert.Single(result.Records).RemediationId);
        Assert.True(record.Outcome == Outcomes.AmiRegistered, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.Equal(1, sim.Counters["RegisterImage"]);
        var copy = Assert.Single(await sim.CopiesOfAsync(sim.ImageOf(id)));
        Assert.Equal((intended, copy.ImageId), (copy.Name, record.Memo[AmiMemo.NewImageId]));
        Assert.Contains(copy.Tags, t => t.Key == AmiNaming.RemediationIdTag && t.Value == record.RemediationId);
        Assert.Contains(record.History, h => h.Event.StartsWith("resuming the registration", StringComparison.Ordinal));
        Assert.Contains(record.UndoLog, u => u.Action == RegisterImageStep.DeregisterUndo && u.Parameters["name"] == intended);
    }

    [Fact]
    public async Task TheImageIdPathResumesAnUntaggedCopyAndTagsIt()
    {
        await using var sim = await AmiSimulation.StartAsync();
        var sourceId = sim.ImageOf(sim.InstanceOf("batch"));
        var dying = new ImageOnlyRegistration(sim.Registrar(images => new CrashingImages(images, "RegisterImage")));
        await Assert.ThrowsAsync<SimulatedCrash>(() => dying.RegisterAsync(sourceId, "first", CancellationToken.None));

        var result = await new ImageOnlyRegistration(sim.Registrar()).RegisterAsync(sourceId, "second", CancellationToken.None);

        Assert.True(result.Reused);
        Assert.Equal(1, sim.Counters["RegisterImage"]);
        var copy = (await sim.DescribeAsync(result.ImageId!))!;
        Assert.Contains(copy.Tags, t => t.Key == AmiNaming.SourceImageTag && t.Value == sourceId);
        Assert.False(copy.EnaSupport);
    }

    [Fact]
    public async Task LaunchReplacementStartsOneLikeForLikeInstanceAndTheOriginalKeepsRunning()
    {
        await using var sim = await AmiSimulation.StartAsync();
        var id = sim.InstanceOf("batch");
        var before = sim.World.Instances.Count;
        var dying = sim.Service(images => new CrashingImages(images, "RunInstances"));
        var started = await dying.StartAsync(new RemediationRequest([id], RemediationMode.Remediate, false, "test", null)
        {
            PlanOptions = new Dictionary<string, string> { ["launchReplacement"] = "true" },
        });
        // Dies after RunInstances succeeded: the resumed run repeats it with the same client token.
        await Assert.ThrowsAsync<SimulatedCrash>(() => sim.Engine.RunAsync(started.RemediationIds, dying));

        var result = await sim.Engine.RunAsync(started.RemediationIds, sim.Service());

        var record = await sim.RecordAsync(Assert.Single(result.Records).RemediationId);
        Assert.True(record.Outcome == Outcomes.AmiRegistered, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.Equal(before + 1, sim.World.Instances.Count);
        var replacement = sim.World.Instance(record.Memo[AmiMemo.ReplacementInstanceId]);
        var original = sim.World.Instance(id);
        Assert.Equal(record.Memo[AmiMemo.NewImageId], replacement.ImageId);
        Assert.Equal(original.Type.Name, replacement.Type.Name);
        Assert.Equal(original.SecurityGroupIds, replacement.SecurityGroupIds);
        Assert.Equal((original.SubnetId, original.KeyName, original.IamInstanceProfileArn, original.UserData),
            (replacement.SubnetId, replacement.KeyName, replacement.IamInstanceProfileArn, replacement.UserData));
        Assert.Equal(original.Tags["team"], replacement.Tags["team"]);
        Assert.False(replacement.EnaSupport);
        Assert.Equal("running", original.State);
        Assert.Equal(0, sim.Counters["StopInstances", id] + sim.Counters["RebootInstances", id] + sim.Counters["TerminateInstances", id]);
        Assert.Contains($"Replacement {replacement.InstanceId} launched", record.OutcomeReason);
    }
}
