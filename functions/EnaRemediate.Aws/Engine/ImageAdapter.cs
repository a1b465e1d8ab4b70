using Amazon.EC2;
using Amazon.EC2.Model;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Aws.Engine;

/// <summary>
/// <see cref="IImagePort"/> on the AWS SDK v4 (same habits as <see cref="Ec2Adapter"/>: null
/// collections, nullable values). An unknown or deregistered image id is a null answer, not an error.
/// </summary>
public sealed class ImageAdapter(IAmazonEC2 ec2) : IImagePort
{
    public async Task<Ec2Image?> DescribeImageAsync(string imageId, CancellationToken cancellationToken)
    {
        try
        {
            var any = await Ec2Adapter.Call("DescribeImages", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] }, cancellationToken));
            if ((any.Images ?? []).FirstOrDefault() is not { } image)
            {
                return null;
            }
            // Owners=self answers "may this account register its manifest?" without knowing the account id.
            var own = await Ec2Adapter.Call("DescribeImages", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId], Owners = ["self"] }, cancellationToken));
            return ToImage(image, ownedBySelf: (own.Images ?? []).Count > 0);
        }
        catch (AwsCallException e) when (e.ErrorCode is "InvalidAMIID.NotFound" or "InvalidAMIID.Unavailable")
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<Ec2Image>> FindOwnImagesAsync(string? name, KeyValuePair<string, string>? tag, CancellationToken cancellationToken)
    {
        var filters = new List<Filter>();
        if (name is not null)
        {
            filters.Add(new Filter("name", [name]));
        }
        if (tag is { } t)
        {
            filters.Add(new Filter("tag:" + t.Key, [t.Value]));
        }
        var found = new List<Ec2Image>();
        string? next = null;
        do
        {
            var response = await Ec2Adapter.Call("DescribeImages", () => ec2.DescribeImagesAsync(
                new DescribeImagesRequest { Owners = ["self"], Filters = filters, NextToken = next }, cancellationToken));
            found.AddRange((response.Images ?? []).Select(i => ToImage(i, ownedBySelf: true)));
            next = response.NextToken;
        }
        while (!string.IsNullOrEmpty(next));
        return found;
    }

    public async Task<string> RegisterImageAsync(ImageRegistration r, CancellationToken cancellationToken)
    {
        var response = await Ec2Adapter.Call("RegisterImage", () => ec2.RegisterImageAsync(new RegisterImageRequest
        {
            Name = r.Name,
            Description = r.Description,
            ImageLocation = r.ImageLocation,
            Architecture = r.Architecture is null ? null : ArchitectureValues.FindValue(r.Architecture),
            VirtualizationType = r.VirtualizationType,
            RootDeviceName = r.RootDeviceName,
            KernelId = r.KernelId,
            RamdiskId = r.RamdiskId,
            BootMode = r.BootMode is null ? null : BootModeValues.FindValue(r.BootMode),
            EnaSupport = r.EnaSupport,
            SriovNetSupport = r.SriovNetSupport,
            BlockDeviceMappings = r.BlockDeviceMappings.Select(ToSdk).ToList(),
        }, cancellationToken));
        return response.ImageId;
    }

    public Task TagImageAsync(string imageId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        Ec2Adapter.Call("CreateTags", () => ec2.CreateTagsAsync(new CreateTagsRequest
        {
            Resources = [imageId],
            Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList(),
        }, cancellationToken));

    public async Task<LaunchSettings?> DescribeLaunchSettingsAsync(string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Ec2Adapter.Call("DescribeInstances", () => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] }, cancellationToken));
            return (response.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(i => new LaunchSettings
            {
                InstanceId = i.InstanceId,
                InstanceType = i.InstanceType?.Value,
                SubnetId = i.SubnetId,
                AvailabilityZone = i.Placement?.AvailabilityZone,
                SecurityGroupIds = (i.SecurityGroups ?? []).Select(g => g.GroupId).OfType<string>().ToList(),
                KeyName = i.KeyName,
                IamInstanceProfileArn = i.IamInstanceProfile?.Arn,
                Tags = Tags(i.Tags),
            }).FirstOrDefault();
        }
        catch (AwsCallException e) when (e.ErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed")
        {
            return null;
        }
    }

    public async Task<string?> DescribeUserDataAsync(string instanceId, CancellationToken cancellationToken)
    {
        var response = await Ec2Adapter.Call("DescribeInstanceAttribute", () => ec2.DescribeInstanceAttributeAsync(
            new DescribeInstanceAttributeRequest { InstanceId = instanceId, Attribute = InstanceAttributeName.UserData }, cancellationToken));
        return string.IsNullOrEmpty(response.InstanceAttribute?.UserData) ? null : response.InstanceAttribute.UserData;
    }

    public async Task<string> RunInstanceAsync(ReplacementLaunch launch, string? userData, CancellationToken cancellationToken)
    {
        var response = await Ec2Adapter.Call("RunInstances", () => ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = launch.ImageId,
            InstanceType = InstanceType.FindValue(launch.InstanceType),
            MinCount = 1,
            MaxCount = 1,
            SubnetId = launch.SubnetId,
            SecurityGroupIds = launch.SecurityGroupIds.Count == 0 ? null : launch.SecurityGroupIds.ToList(),
            KeyName = launch.KeyName,
            IamInstanceProfile = launch.IamInstanceProfileArn is null ? null : new IamInstanceProfileSpecification { Arn = launch.IamInstanceProfileArn },
            UserData = userData,
            ClientToken = launch.ClientToken,
            TagSpecifications = launch.Tags.Count == 0 ? null :
            [
                new TagSpecification { ResourceType = ResourceType.Instance, Tags = launch.Tags.Select(t => new Tag(t.Key, t.Value)).ToList() },
            ],
        }, cancellationToken));
        return response.Reservation.Instances[0].InstanceId;
    }

    private static Ec2Image ToImage(Image i, bool ownedBySelf) => new()
    {
        ImageId = i.ImageId,
        Name = i.Name ?? i.ImageId,
        State = i.State?.Value ?? "unknown",
        OwnerId = i.OwnerId ?? "",
        OwnedBySelf = ownedBySelf,
        Description = i.Description,
        ImageLocation = i.ImageLocation,
        Architecture = i.Architecture?.Value,
        VirtualizationType = i.VirtualizationType?.Value,
        RootDeviceType = i.RootDeviceType?.Value,
        RootDeviceName = i.RootDeviceName,
        KernelId = i.KernelId,
        RamdiskId = i.RamdiskId,
        BootMode = i.BootMode?.Value,
        EnaSupport = i.EnaSupport ?? false,
        SriovNetSupport = i.SriovNetSupport,
        BlockDeviceMappings = (i.BlockDeviceMappings ?? []).Select(b => new ImageDeviceMapping(
            b.DeviceName, b.VirtualName, b.Ebs?.SnapshotId, b.Ebs?.VolumeSize, b.Ebs?.DeleteOnTermination, b.Ebs?.VolumeType?.Value,
            NoDevice: b.NoDevice is not null)).ToList(),
        Tags = Tags(i.Tags),
    };

    private static BlockDeviceMapping ToSdk(ImageDeviceMapping m) => new()
    {
        DeviceName = m.DeviceName,
        VirtualName = m.VirtualName,
        NoDevice = m.NoDevice ? "" : null,
        Ebs = m.SnapshotId is null && m.VolumeSize is null ? null : new EbsBlockDevice
        {
            SnapshotId = m.SnapshotId,
            VolumeSize = m.VolumeSize,
            DeleteOnTermination = m.DeleteOnTermination,
            VolumeType = m.VolumeType is null ? null : VolumeType.FindValue(m.VolumeType),
        },
    };

    private static Dictionary<string, string> Tags(List<Tag>? tags) =>
        (tags ?? []).Where(t => t.Key is not null).GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal);
}
