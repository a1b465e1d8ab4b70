using Amazon.EC2;
using Amazon.EC2.Model;

namespace EnaRemediate.Simulator.Tests;

/// <summary>What type-swap and offline repair depend on, through the real SDK: type changes, offerings, type details, volumes, snapshots, rescues.</summary>
public sealed class NitroBehaviourTests
{
    private static async Task StopAsync(Sim sim, string id)
    {
        await sim.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromMinutes(3));
    }

    private static async Task<string> ChangeTypeErrorAsync(Sim sim, string id, string type)
    {
        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, InstanceType = type }));
        return e.ErrorCode;
    }

    [Fact]
    public async Task A_stopped_x86_nitro_instance_moves_to_a_xen_type_and_is_reachable_there_with_ena_off()
    {
        await using var sim = await Sim.StartAsync("nitro-fleet");
        var id = sim.Id("swap");
        Assert.Equal("IncorrectInstanceState", await ChangeTypeErrorAsync(sim, id, "t2.large"));
        await StopAsync(sim, id);
        await sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, InstanceType = "t2.large" });
        await sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, EnaSupport = false });
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("t2.large", (await sim.InstanceAsync(id)).InstanceType.Value);
        Assert.Equal("xen-netfront", sim.World.Instance(id).BoundNetworkDriver(sim.Clock.GetUtcNow()));
        Assert.Equal("ok", await sim.InstanceStatusAsync(id));
    }

    [Fact]
    public async Task An_fstab_naming_nvme_devices_does_not_boot_on_xen()
    {
        await using var sim = await Sim.StartAsync("nitro-fleet");
        var id = sim.Id("swap");
        sim.World.Instance(id).Guest!.FstabNamesNvmeDevices = true;
        await StopAsync(sim, id);
        await sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, InstanceType = "t2.large" });
        await sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, EnaSupport = false });
        await sim.Ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        sim.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("impaired", await sim.InstanceStatusAsync(id));
    }

    [Theory]
    [InlineData("graviton", "t2.large", "InvalidInstanceAttributeValue")]
    [InlineData("uefi", "t2.large", "InvalidInstanceAttributeValue")]
    [InlineData("many-enis", "m4.10xlarge", "InvalidInstanceAttributeValue")]
    [InlineData("nitro-only-zone", "t2.large", "Unsupported")]
    [InlineData("swap", "m4.large", null)]
    public async Task Type_changes_follow_the_compatibility_rules(string group, string target, string? error)
    {
        await using var sim = await Sim.StartAsync("nitro-fleet");
        var id = sim.Id(group);
        await StopAsync(sim, id);
        if (error is null)
        {
            await sim.Ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, InstanceType = target });
            Assert.Equal(target, sim.World.Instance(id).Type.Name);
        }
        else
        {
            Assert.Equal(error, await ChangeTypeErrorAsync(sim, id, target));
        }
    }

    [Fact]
    public async Task Offerings_and_type_details_say_where_a_stand_in_can_run_and_how_big_it_is()
    {
        await using var sim = await Sim.StartAsync("nitro-fleet");
        async Task<List<string>> Offered(string zone) => (await sim.Ec2.DescribeInstanceTypeOfferingsAsync(new DescribeInstanceTypeOfferingsRequest
        {
            LocationType = LocationType.AvailabilityZone,
            Filters = [new Filter("location", [zone]), new Filter("instance-type", ["t2.large", "c5.large"])],
        })).InstanceTypeOfferings.Select(o => o.InstanceType.Value).ToList();
        Assert.Equal(["c5.large", "t2.large"], (await Offered("us-east-1a")).Order());
        Assert.Equal(["c5.large"], await Offered("us-east-1f"));

        var types = (await sim.Ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = ["t2.large", "c7g.large", "m5.24xlarge"] })).InstanceTypes.ToDictionary(t => t.InstanceType.Value);
        Assert.Equal((2, 8192L, 3), (types["t2.large"].VCpuInfo.DefaultVCpus!.Value, types["t2.large"].MemoryInfo.SizeInMiB!.Value, types["t2.large"].NetworkInfo.MaximumNetworkInterfaces!.Value));
        Assert.Equal(["legacy-bios"], types["t2.large"].SupportedBootModes);
        Assert.Equal(["uefi"], types["c7g.large"].SupportedBootModes);
        Assert.Equal(15, types["m5.24xlarge"].NetworkInfo.MaximumNetworkInterfaces);
    }

    [Fact]
    public async Task An_encrypted_root_stays_encrypted_through_snapshot_and_restore_and_a_snapshot_can_be_deleted()
    {
        await using var sim = await Sim.StartAsync("nitro-fleet");
        var id = sim.Id("encrypted");
        var root = (await sim.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("attachment.instance-id", [id])] })).Volumes.Single();
        Assert.True(root.Encrypted);
        var snapshot = (await sim.Ec2.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = root.VolumeId })).Snapshot;
        Assert.True(snapshot.Encrypted);
        Assert.Equal(root.KmsKeyId, snapshot.KmsKeyId);
        sim.Advance(TimeSpan.FromMinutes(3));
        var restored = (await sim.Ec2.CreateVolumeAsync(new CreateVolumeRequest { SnapshotId = snapshot.SnapshotId, AvailabilityZone = root.AvailabilityZone, ClientToken = "t1" })).Volume;
        Assert.True(restored.Encrypted);
        Assert.Equal(restored.VolumeId, (await sim.Ec2.CreateVolumeAsync(new CreateVolumeRequest { SnapshotId = snapshot.SnapshotId, AvailabilityZone = root.AvailabilityZone, ClientToken = "t1" })).Volume.VolumeId);
        await sim.Ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot.SnapshotId });
        Assert.DoesNotContain(sim.World.AllSnapshots, s => s.SnapshotId == snapshot.SnapshotId);
    }

    [Fact]
    public async Task A_marketplace_root_attaches_only_to_a_stopped_instance_and_a_rescue_must_match_its_architecture()
    {
        await using var sim = await Sim.StartAsync("nitro-fleet");
        var id = sim.Id("marketplace");
        Assert.Contains((await sim.InstanceAsync(id)).ProductCodes, p => p.ProductCodeType.Value == "marketplace");
        var root = (await sim.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("attachment.instance-id", [id])] })).Volumes.Single();
        await StopAsync(sim, id);
        await sim.Ec2.DetachVolumeAsync(new DetachVolumeRequest { VolumeId = root.VolumeId });
        sim.Advance(TimeSpan.FromSeconds(30));
        var rescue = sim.Id("graviton");
        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = root.VolumeId, InstanceId = rescue, Device = "/dev/sdf" }));
        Assert.Contains("Marketplace", e.Message);

        var armImage = sim.World.AllImages.First(i => i.Name == "enaremediate-rescue-arm64").ImageId;
        var arch = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = armImage, InstanceType = "c5.large", MinCount = 1, MaxCount = 1 }));
        Assert.Equal("InvalidParameterValue", arch.ErrorCode);
    }
}
