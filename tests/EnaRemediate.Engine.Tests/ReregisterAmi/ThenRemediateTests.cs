using Amazon.EC2.Model;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Engine.Tests.Fakes;

namespace EnaRemediate.Engine.Tests.ReregisterAmi;

/// <summary>
/// The replacement journey (thenRemediate) on the simulator through the real SDK: an instance-store
/// bundle whose kernel has no ena module, so the instance is off the network with ENA on. The
/// ENA-disabled copy and its replacement, the driver installed and validated on that replacement,
/// the re-bundle, the ENA-enabled image, an ENA-enabled replacement reachable with ena bound; and
/// never a stop, reboot or terminate of any instance-store instance.
/// </summary>
public sealed class ThenRemediateTests
{
    private const string Bucket = "enaremediate-stack-bundles";

    /// <summary>The bundle itself lacks ena for its kernel (INCOMPATIBLE lists driver versions whose build fails on it).</summary>
    private const string Scenario = """
    {
      "name": "instance-store-no-ena",
      "images": [
        { "key": "bundle", "name": "batch-2018", "rootDeviceType": "instance-store", "enaSupport": true, "ephemeral": 1,
          "guest": { "distroId": "debian", "distroVersion": "12", "dkms": false,
            "kernels": [ { "version": "6.1.0-56-amd64", "headers": true, "incompatibleDriverVersions": [INCOMPATIBLE] } ] } }
      ],
      "groups": [
        { "name": "batch", "instanceTypes": ["x1.16xlarge"], "image": "bundle",
          "tags": { "EnaRemediate:OptIn": "true", "team": "batch" }, "userData": "IyEvYmluL3NoCg==" }
      ]
    }
    """;

    private static Task<AmiSimulation> StartAsync(bool installFails = false) =>
        AmiSimulation.StartWithAsync(Scenario.Replace("INCOMPATIBLE", installFails ? "\"2.16.1\"" : "", StringComparison.Ordinal));

    private static readonly string[] Destructive = ["StopInstances", "RebootInstances", "TerminateInstances"];

    [Fact]
    public async Task TheJourneyEndsWithAnEnaEnabledReplacementThatBootedTheValidatedDriver()
    {
        await using var sim = await StartAsync();
        var original = sim.InstanceOf("batch");
        Assert.False(sim.World.Instance(original).IsReachable(sim.Engine.Clock.GetUtcNow()));

        var (_, result) = await sim.RemediateAsync([original], launchReplacement: true, thenRemediateInto: Bucket);

        var record = await sim.RecordAsync(Assert.Single(result.Records).RemediationId);
        Assert.True(record.Outcome == Outcomes.AmiRegistered, $"{record.Outcome}: {record.OutcomeReason}");
        var disabled = (await sim.DescribeAsync(record.Memo[AmiMemo.NewImageId]))!;
        Assert.False(disabled.EnaSupport);
        var offReplacement = sim.World.Instance(record.Memo[AmiMemo.ReplacementInstanceId]);
        Assert.False(offReplacement.EnaSupport);
        Assert.Equal("running", offReplacement.State);
        Assert.Equal("2.16.1", record.Memo[MemoKeys.InstalledDriver]);
        Assert.Equal("2.16.1g", offReplacement.Guest!.Find("6.1.0-56-amd64")!.Ena!.Version);

        var manifest = $"{Bucket}/enaremediate/bundles/{record.RemediationId}/image.manifest.xml";
        Assert.Equal(manifest, record.Memo[AmiMemo.BundleManifest]);
        Assert.True(sim.World.AllUploadedBundles.ContainsKey(manifest));
        var enabled = (await sim.DescribeAsync(record.Memo[AmiMemo.EnaImageId]))!;
        Assert.True(enabled.EnaSupport);
        Assert.Equal(manifest, enabled.ImageLocation);
        Assert.Equal("instance-store", enabled.RootDeviceType.Value);
        Assert.Equal("batch-2018-ena-enabled-20261127-" + record.RemediationId[^8..], enabled.Name);
        Assert.Contains(enabled.Tags, t => t.Key == AmiNaming.BundledFromTag && t.Value == disabled.ImageId);

        var onReplacement = sim.World.Instance(record.Memo[AmiMemo.EnaReplacementInstanceId]);
        Assert.True(onReplacement.EnaSupport);
        Assert.Equal("x1.16xlarge", onReplacement.Type.Name);
        Assert.Equal(enabled.ImageId, onReplacement.ImageId);
        Assert.Equal("ena", onReplacement.BoundNetworkDriver(sim.Engine.Clock.GetUtcNow()));
        Assert.Equal("batch", onReplacement.Tags["team"]);
        Assert.Equal("IyEvYmluL3NoCg==", onReplacement.UserData);

        // Validated on the host that booted the ENA-enabled image, and said so; everything still running is named.
        Assert.Contains(record.History, h => h.Step == Core.Plans.Fallback.FallbackPlan.ValidateFinalStep);
        Assert.Contains($"the ENA-enabled replacement {onReplacement.InstanceId} runs with enaSupport on and ena bound", record.Memo[MemoKeys.Remains]);
        Assert.Contains($"the replacement {offReplacement.InstanceId} keeps running with enaSupport off", record.Memo[MemoKeys.Remains]);
        Assert.Contains($"the original {original} keeps running", record.OutcomeReason);
        Assert.Contains(enabled.ImageId, record.OutcomeReason);
        Assert.Equal(2, record.UndoLog.Count(u => u.Action == LaunchReplacementStep.TerminateReplacementUndo));
        Assert.Equal(2, record.UndoLog.Count(u => u.Action == RegisterImageStep.DeregisterUndo));

        foreach (var instance in sim.World.Instances.Where(i => i.IsInstanceStoreBacked))
        {
            Assert.All(Destructive, action => Assert.True(sim.Counters[action, instance.InstanceId] == 0, $"{action} named {instance.InstanceId}"));
            Assert.Equal("running", instance.State);
        }
        Assert.Equal(3, sim.World.Instances.Count);
        Assert.Equal(2, sim.Counters["RunInstances"]);
        Assert.Equal(2, sim.Counters["RegisterImage"]);
    }

    [Fact]
    public async Task TwoInstancesOfOneSourceShareTheEnaDisabledCopyButEachGetsTheImageOfItsOwnBundle()
    {
        await using var sim = await AmiSimulation.StartAsync("instance-store");
        var ids = sim.InstanceStoreIds;

        var (_, result) = await sim.RemediateAsync(ids, launchReplacement: true, thenRemediateInto: Bucket);

        var records = await Task.WhenAll(result.Records.Select(r => sim.RecordAsync(r.RemediationId)));
        Assert.All(records, r => Assert.True(r.Outcome == Outcomes.AmiRegistered, $"{r.InstanceId}: {r.Outcome}: {r.OutcomeReason}"));
        Assert.Single(records.Select(r => r.Memo[AmiMemo.NewImageId]).Distinct());
        foreach (var record in records)
        {
            var enabled = (await sim.DescribeAsync(record.Memo[AmiMemo.EnaImageId]))!;
            Assert.Equal(record.Memo[AmiMemo.BundleManifest], enabled.ImageLocation);
            Assert.Equal(enabled.ImageId, sim.World.Instance(record.Memo[AmiMemo.EnaReplacementInstanceId]).ImageId);
        }
        Assert.Equal(2, records.Select(r => r.Memo[AmiMemo.EnaImageId]).Distinct().Count());
        Assert.All(sim.World.Instances, i => Assert.Equal(0, Destructive.Sum(a => sim.Counters[a, i.InstanceId])));
    }

    [Fact]
    public async Task AFailingInstallLeavesTheReplacementRunningWithEnaOffAndTheRecordSaysSo()
    {
        await using var sim = await StartAsync(installFails: true);
        var original = sim.InstanceOf("batch");

        var (_, result) = await sim.RemediateAsync([original], launchReplacement: true, thenRemediateInto: Bucket);

        var record = await sim.RecordAsync(Assert.Single(result.Records).RemediationId);
        Assert.Equal(Outcomes.Failed, record.Outcome);
        var replacement = sim.World.Instance(record.Memo[AmiMemo.ReplacementInstanceId]);
        Assert.Equal("running", replacement.State);
        Assert.False(replacement.EnaSupport);
        Assert.True(replacement.IsReachable(sim.Engine.Clock.GetUtcNow()));
        Assert.StartsWith("install-driver:", record.Memo[MemoKeys.FailureReason]);
        Assert.Contains($"the replacement {replacement.InstanceId} keeps running with enaSupport off (the driver install did not complete", record.OutcomeReason);
        Assert.Contains("nothing was stopped, rebooted or terminated", record.OutcomeReason);
        Assert.DoesNotContain(AmiMemo.EnaImageId, record.Memo.Keys);
        Assert.Equal(1, sim.Counters["RegisterImage"]);
        Assert.Equal(1, sim.Counters["RunInstances"]);
        Assert.Empty(sim.World.AllUploadedBundles);
        Assert.All(sim.World.Instances, i => Assert.Equal(0, Destructive.Sum(a => sim.Counters[a, i.InstanceId])));
    }

    [Theory]
    [InlineData("RegisterImage", 2)]
    [InlineData("RunInstances", 1)]
    [InlineData("RunInstances", 2)]
    public async Task ACrashAfterAJourneyCallIsResumedByARerunWithoutASecondImageOrInstance(string action, int occurrence)
    {
        await using var sim = await StartAsync();
        var original = sim.InstanceOf("batch");
        CrashingImages? crashing = null;
        var dying = sim.Service(images => crashing = new CrashingImages(images, action, occurrence));
        var started = await dying.StartAsync(ReregisterAmiRequests.Request([original], launchReplacement: true, dryRun: false, "test", null, Bucket));
        await Assert.ThrowsAsync<SimulatedCrash>(() => sim.Engine.RunAsync(started.RemediationIds, dying));
        Assert.True(crashing!.Fired);

        var result = await sim.Engine.RunAsync(started.RemediationIds, sim.Service());

        var record = await sim.RecordAsync(Assert.Single(result.Records).RemediationId);
        Assert.True(record.Outcome == Outcomes.AmiRegistered, $"{record.Outcome}: {record.OutcomeReason}");
        Assert.Equal(2, sim.Counters["RegisterImage"]);
        Assert.Equal(3, sim.World.Instances.Count);
        Assert.True(sim.World.Instance(record.Memo[AmiMemo.EnaReplacementInstanceId]).IsReachable(sim.Engine.Clock.GetUtcNow()));
        var images = await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] });
        Assert.Single(images.Images, i => i.EnaSupport == true && i.Name.Contains(AmiNaming.EnabledSuffix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutThenRemediateTheRecordNeverLooksAtTheReplacement()
    {
        await using var sim = await StartAsync();
        var original = sim.InstanceOf("batch");

        var (_, result) = await sim.RemediateAsync([original], launchReplacement: true);

        var record = await sim.RecordAsync(Assert.Single(result.Records).RemediationId);
        Assert.Equal(Outcomes.AmiRegistered, record.Outcome);
        Assert.Equal(original, record.ActingOn);
        Assert.False(sim.World.Instance(record.Memo[AmiMemo.ReplacementInstanceId]).EnaSupport);
        Assert.Equal(0, sim.Counters["SendCommand"]);
        Assert.Contains("keeps running until you terminate it", record.OutcomeReason);
    }

    [Theory]
    [InlineData(false, true, Bucket, "needs launchReplacement")]
    [InlineData(true, true, null, "needs the bucket")]
    [InlineData(true, true, "Not_A_Bucket", "is not an S3 bucket name")]
    [InlineData(true, false, Bucket, "only used with thenRemediate")]
    public void TheEntryPointsRefuseAJourneyThatCannotRun(bool launchReplacement, bool thenRemediate, string? bucket, string expected)
    {
        Assert.Contains(expected, ReregisterAmiRequests.ThenRemediateProblem(launchReplacement, thenRemediate, bucket));
        Assert.Null(ReregisterAmiRequests.ThenRemediateProblem(true, true, Bucket));
    }
}
