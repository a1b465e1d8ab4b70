using Amazon.EC2;
using Amazon.EC2.Model;

namespace EnaRemediate.Simulator.Tests;

/// <summary>AMIs (instance-store re-registration, CreateImage), EBS volumes and snapshots, launches, tags.</summary>
public sealed class ImageVolumeTagTests
{
    [Fact]
    public async Task An_instance_store_ami_can_be_copied_with_ena_off_from_what_DescribeImages_returns()
    {
        await using var sim = await Sim.StartAsync("instance-store");
        var instance = await sim.InstanceAsync(sim.Id("batch"));
        var source = (await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [instance.ImageId] })).Images.Single();
        Assert.Equal(DeviceType.InstanceStore, source.RootDeviceType);
        Assert.Equal("enaremediate-sim-bundles/bundle/image.manifest.xml", source.ImageLocation);
        Assert.True(source.EnaSupport);
        Assert.Equal(["ephemeral0", "ephemeral1"], source.BlockDeviceMappings.Select(b => b.VirtualName).ToList());

        var copy = await sim.Ec2.RegisterImageAsync(new RegisterImageRequest
        {
            Name = source.Name + "-ena-off",
            ImageLocation = source.ImageLocation,
            Architecture = source.Architecture,
            VirtualizationType = source.VirtualizationType.Value,
            RootDeviceName = source.RootDeviceName,
            BlockDeviceMappings = source.BlockDeviceMappings,
            EnaSupport = false,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = [new Tag("EnaRemediate:SourceImage", source.ImageId)] }],
        });
        sim.Advance(TimeSpan.FromMinutes(3));
        var registered = (await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [copy.ImageId] })).Images.Single();
        Assert.Equal(ImageState.Available, registered.State);
        Assert.False(registered.EnaSupport);
        Assert.Equal(source.ImageLocation, registered.ImageLocation);
        Assert.Equal(DeviceType.InstanceStore, registered.RootDeviceType);
        Assert.Equal(2, registered.BlockDeviceMappings.Count);
        Assert.Equal(source.ImageId, registered.Tags.Single().Value);

        var duplicate = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.RegisterImageAsync(new RegisterImageRequest { Name = registered.Name, ImageLocation = source.ImageLocation }));
        Assert.Equal("InvalidAMIName.Duplicate", duplicate.ErrorCode);
        var manifest = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.RegisterImageAsync(new RegisterImageRequest { Name = "elsewhere", ImageLocation = "no-bucket/x.manifest.xml" }));
        Assert.Equal("InvalidManifest", manifest.ErrorCode);
        var launched = await sim.Ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = copy.ImageId, InstanceType = InstanceType.X116xlarge, MinCount = 1, MaxCount = 1 });
        Assert.False(launched.Reservation.Instances.Single().EnaSupport);
    }

    [Fact]
    public async Task A_pv_ami_keeps_its_kernel_and_ramdisk()
    {
        await using var sim = await Sim.StartAsync("pv-ena");
        var image = (await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images.Single();
        Assert.Equal(VirtualizationType.Paravirtual, image.VirtualizationType);
        Assert.Equal("aki-919dcaf8", image.KernelId);
        Assert.Equal("ari-00000001", image.RamdiskId);
    }

    [Fact]
    public async Task CreateImage_snapshots_the_volumes_and_RunInstances_launches_from_it_then_Terminate_cleans_up()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var id = sim.Id("ok");
        var created = await sim.Ec2.CreateImageAsync(new CreateImageRequest { InstanceId = id, Name = "golden-1", NoReboot = true });
        var pending = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = created.ImageId, InstanceType = InstanceType.R4Large, MinCount = 1, MaxCount = 1 }));
        Assert.Equal("InvalidAMIID.Unavailable", pending.ErrorCode);
        sim.Advance(TimeSpan.FromMinutes(3));
        var image = (await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [created.ImageId] })).Images.Single();
        var snapshotId = image.BlockDeviceMappings.Single().Ebs.SnapshotId;
        var snapshot = (await sim.Ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [snapshotId] })).Snapshots.Single();
        Assert.Equal(SnapshotState.Completed, snapshot.State);

        var run = await sim.Ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = created.ImageId, InstanceType = InstanceType.M5Large, MinCount = 2, MaxCount = 2,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag("Role", "rescue")] }],
        });
        Assert.Equal(2, run.Reservation.Instances.Count);
        var newId = run.Reservation.Instances[0].InstanceId;
        Assert.Equal("pending", run.Reservation.Instances[0].State.Name.Value);
        sim.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("ok", await sim.InstanceStatusAsync(newId));
        Assert.Equal("rescue", (await sim.InstanceAsync(newId)).Tags.Single(t => t.Key == "Role").Value);

        var terminate = await sim.Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [newId] });
        Assert.Equal("shutting-down", terminate.TerminatingInstances.Single().CurrentState.Name.Value);
        sim.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("terminated", (await sim.InstanceAsync(newId)).State.Name.Value);
        var volumes = await sim.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("attachment.instance-id", [newId])] });
        Assert.Empty(volumes.Volumes ?? []);
    }

    [Fact]
    public async Task A_spot_instance_is_marked_as_such_and_cannot_be_stopped()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var image = sim.World.Instance(sim.Id("ok")).ImageId;
        var run = await sim.Ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = image, InstanceType = InstanceType.R4Large, MinCount = 1, MaxCount = 1,
            InstanceMarketOptions = new InstanceMarketOptionsRequest { MarketType = MarketType.Spot },
        });
        var id = run.Reservation.Instances.Single().InstanceId;
        Assert.Equal(InstanceLifecycleType.Spot, (await sim.InstanceAsync(id)).InstanceLifecycle);
        sim.Advance(TimeSpan.FromMinutes(2)); // running: a pending instance is refused for another reason
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] }));
        Assert.Equal("UnsupportedOperation", error.ErrorCode);
    }

    [Fact]
    public async Task Launching_a_nitro_type_from_an_ami_without_ena_is_refused()
    {
        await using var sim = await Sim.StartAsync("pv-ena");
        var image = (await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest())).Images.Single();
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = image.ImageId, InstanceType = InstanceType.M5Large, MinCount = 1, MaxCount = 1 }));
        Assert.Equal("InvalidParameterCombination", error.ErrorCode);
        Assert.EndsWith("Ensure that you are using an AMI that is enabled for ENA.", error.Message);
        var malformed = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = "ami-nope", InstanceType = InstanceType.M5Large, MinCount = 1, MaxCount = 1 }));
        Assert.Equal("InvalidAMIID.Malformed", malformed.ErrorCode);
    }

    [Fact]
    public async Task A_root_volume_moves_to_a_rescue_instance_and_back_only_while_stopped()
    {
        await using var sim = await Sim.StartAsync("nitro-required", instances: 2);
        var broken = sim.World.Instances[0].InstanceId;
        var rescue = sim.World.Instances[1].InstanceId;
        var root = (await sim.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest
        {
            Filters = [new Filter("attachment.instance-id", [broken]), new Filter("attachment.device", ["/dev/xvda"])],
        })).Volumes.Single();
        Assert.Equal(VolumeState.InUse, root.State);

        var running = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.DetachVolumeAsync(new DetachVolumeRequest { VolumeId = root.VolumeId }));
        Assert.Equal("IncorrectState", running.ErrorCode);
        var snapshot = await sim.Ec2.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = root.VolumeId, Description = "before repair" });
        Assert.Equal(SnapshotState.Pending, snapshot.Snapshot.State);

        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [broken] });
        sim.Advance(TimeSpan.FromSeconds(90));
        var detach = await sim.Ec2.DetachVolumeAsync(new DetachVolumeRequest { VolumeId = root.VolumeId, InstanceId = broken });
        Assert.Equal(VolumeAttachmentState.Detaching, detach.Attachment.State);
        sim.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(VolumeState.Available, (await sim.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = [root.VolumeId] })).Volumes.Single().State);

        var noRoot = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [broken] }));
        Assert.Contains("does not have a volume attached at root", noRoot.Message);

        await sim.Ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = root.VolumeId, InstanceId = rescue, Device = "/dev/sdf" });
        sim.Advance(TimeSpan.FromSeconds(10));
        var attached = (await sim.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = [root.VolumeId] })).Volumes.Single().Attachments.Single();
        Assert.Equal(rescue, attached.InstanceId);
        Assert.Equal(VolumeAttachmentState.Attached, attached.State);
        var busy = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = root.VolumeId, InstanceId = broken, Device = "/dev/xvda" }));
        Assert.Equal("VolumeInUse", busy.ErrorCode);
    }

    [Fact]
    public async Task Tags_are_created_described_filtered_and_validated()
    {
        await using var sim = await Sim.StartAsync("healthy");
        var ids = sim.World.Instances.Select(i => i.InstanceId).ToList();
        await sim.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [ids[0], ids[1]], Tags = [new Tag("EnaRemediate:State", "fallback")] });
        var tags = await sim.Ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("key", ["EnaRemediate:State"])] });
        Assert.Equal(ids.Take(2).Order(), tags.Tags.Select(t => t.ResourceId).Order());
        Assert.All(tags.Tags, t => Assert.Equal(ResourceType.Instance, t.ResourceType));
        var reserved = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [ids[0]], Tags = [new Tag("aws:evil", "x")] }));
        Assert.Equal("InvalidParameterValue", reserved.ErrorCode);
        var unknown = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = ["vol-0123456789abcdef0"], Tags = [new Tag("a", "b")] }));
        Assert.Equal("InvalidVolume.NotFound", unknown.ErrorCode);
        var dry = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            sim.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [ids[2]], Tags = [new Tag("a", "b")], DryRun = true }));
        Assert.Equal("DryRunOperation", dry.ErrorCode);
        Assert.False(sim.World.Instance(ids[2]).Tags.ContainsKey("a"));
    }
}
