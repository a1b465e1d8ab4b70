using Amazon.EC2;
using Amazon.EC2.Model;

namespace EnaRemediate.Simulator.Tests;

/// <summary>What the reregister-ami plan relies on (docs/instance-store.md): deregistration, image ownership, launch settings, client tokens, per-instance counters.</summary>
public sealed class ImageRegistrationSupportTests
{
    [Fact]
    public async Task ADeregisteredImageIsGoneFromDescribeImagesAndCannotBeDeregisteredAgain()
    {
        await using var sim = await Sim.StartAsync("instance-store");
        var imageId = sim.World.Instances[0].ImageId;

        await sim.Ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = imageId });

        // EC2 answers a just-deregistered id with an empty list, not InvalidAMIID.NotFound.
        Assert.Empty((await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] })).Images ?? []);
        var again = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = imageId }));
        Assert.Equal("InvalidAMIID.Unavailable", again.ErrorCode);
        var never = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = ["ami-0123456789abcdef0"] }));
        Assert.Equal("InvalidAMIID.NotFound", never.ErrorCode);
    }

    [Fact]
    public async Task OwnersSelfReturnsOnlyThisAccountsImages()
    {
        var scenario = Path.Combine(Path.GetTempPath(), $"sim-foreign-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(scenario, """
        { "name": "foreign", "images": [
            { "key": "own", "name": "own-bundle", "rootDeviceType": "instance-store", "guest": { "kernels": [] } },
            { "key": "shared", "name": "shared-bundle", "rootDeviceType": "instance-store", "ownerId": "999988887777", "architecture": "i386", "guest": { "kernels": [] } } ],
          "groups": [ { "name": "a", "instanceTypes": ["c3.large"], "image": "shared" } ] }
        """);
        try
        {
            await using var sim = await Sim.StartAsync(scenario);
            var all = (await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest())).Images;
            var own = (await sim.Ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images;

            Assert.Equal(["own-bundle", "shared-bundle"], all.Select(i => i.Name).Order());
            Assert.Equal("own-bundle", Assert.Single(own).Name);
            var shared = all.Single(i => i.Name == "shared-bundle");
            Assert.Equal(("999988887777", "i386"), (shared.OwnerId, shared.Architecture.Value));
        }
        finally
        {
            File.Delete(scenario);
        }
    }

    [Fact]
    public async Task RunInstancesKeepsLaunchSettingsAndAClientTokenRepeatLaunchesNothingNew()
    {
        await using var sim = await Sim.StartAsync("instance-store");
        var imageId = sim.World.Instances[0].ImageId;
        var request = new RunInstancesRequest
        {
            ImageId = imageId,
            InstanceType = InstanceType.X116xlarge,
            MinCount = 1,
            MaxCount = 1,
            SubnetId = "subnet-0123456789abcdef0",
            SecurityGroupIds = ["sg-0123456789abcdef0"],
            KeyName = "ops",
            IamInstanceProfile = new IamInstanceProfileSpecification { Arn = "arn:aws:iam::123456789012:instance-profile/x" },
            UserData = "ZWNobyBoaQ==",
            ClientToken = "token-1",
        };
        var before = sim.World.Instances.Count;

        var first = (await sim.Ec2.RunInstancesAsync(request)).Reservation.Instances.Single().InstanceId;
        var again = (await sim.Ec2.RunInstancesAsync(request)).Reservation.Instances.Single().InstanceId;

        Assert.Equal(first, again);
        Assert.Equal(before + 1, sim.World.Instances.Count);
        var described = await sim.InstanceAsync(first);
        Assert.Equal(("subnet-0123456789abcdef0", "ops", "arn:aws:iam::123456789012:instance-profile/x", "token-1"),
            (described.SubnetId, described.KeyName, described.IamInstanceProfile.Arn, described.ClientToken));
        Assert.Equal("sg-0123456789abcdef0", Assert.Single(described.SecurityGroups).GroupId);
        var userData = await sim.Ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = first, Attribute = InstanceAttributeName.UserData });
        Assert.Equal("ZWNobyBoaQ==", userData.InstanceAttribute.UserData);
    }

    [Fact]
    public async Task RequestsAreCountedPerNamedInstanceWhetherOrNotTheySucceed()
    {
        await using var sim = await Sim.StartAsync("instance-store");
        var id = sim.World.Instances[0].InstanceId;
        var other = sim.World.Instances[1].InstanceId;

        await sim.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] });
        // A DryRun changes nothing but is still a request that named the instance.
        var dryRun = await Assert.ThrowsAsync<AmazonEC2Exception>(() => sim.Ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = [id], DryRun = true }));
        Assert.Equal("DryRunOperation", dryRun.ErrorCode);

        Assert.Equal(1, sim.World.Counters["DescribeInstances", id]);
        Assert.Equal(1, sim.World.Counters["RebootInstances", id]);
        Assert.Equal(0, sim.World.Counters["RebootInstances", other]);
    }
}
