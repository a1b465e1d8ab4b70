using Amazon.EC2;
using Amazon.EC2.Model;
using EnaRemediate.Core.Engine.Ports;
using SnapshotState = EnaRemediate.Core.Engine.Ports.SnapshotState;
using VolumeState = EnaRemediate.Core.Engine.Ports.VolumeState;

namespace EnaRemediate.Aws.Engine;

/// <summary>
/// <see cref="INitroPort"/> on the AWS SDK v4 (habits as <see cref="Ec2Adapter"/>: null
/// collections, nullable values). Unknown volumes and snapshots are null answers, not errors.
/// </summary>
public sealed class NitroAdapter(IAmazonEC2 ec2) : INitroPort
{
    public async Task<IReadOnlyDictionary<string, NitroInstance>> DescribeNitroInstancesAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, NitroInstance>(StringComparer.Ordinal);
        foreach (var chunk in instanceIds.Chunk(1000))
        {
            var response = await Ec2Adapter.Call("DescribeInstances", () => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = chunk.ToList() }, cancellationToken));
            foreach (var i in (response.Reservations ?? []).SelectMany(r => r.Instances ?? []))
            {
                var root = (i.BlockDeviceMappings ?? []).FirstOrDefault(b => b.DeviceName == i.RootDeviceName);
                result[i.InstanceId] = new NitroInstance
                {
                    InstanceId = i.InstanceId,
                    Architecture = i.Architecture?.Value,
                    BootMode = i.CurrentInstanceBootMode?.Value ?? i.BootMode?.Value,
                    AvailabilityZone = i.Placement?.AvailabilityZone,
                    SubnetId = i.SubnetId,
                    Tenancy = i.Placement?.Tenancy?.Value,
                    HostId = string.IsNullOrEmpty(i.Placement?.HostId) ? null : i.Placement.HostId,
                    NetworkInterfaces = (i.NetworkInterfaces ?? []).Count,
                    MarketplaceCodes = (i.ProductCodes ?? []).Where(p => p.ProductCodeType?.Value == "marketplace").Select(p => p.ProductCodeId).ToList(),
                    RootDeviceName = i.RootDeviceName,
                    RootVolumeId = i.RootDeviceType?.Value == "ebs" ? root?.Ebs?.VolumeId : null,
                    RootDeleteOnTermination = root?.Ebs?.DeleteOnTermination ?? false,
                };
            }
        }
        return result;
    }

    public async Task<IReadOnlyDictionary<string, string?>> DescribeImageBootModesAsync(IReadOnlyCollection<string> imageIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var id in imageIds)
        {
            try
            {
                // One id per call: DescribeImages fails the whole call for an unknown id.
                var response = await Ec2Adapter.Call("DescribeImages", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [id] }, cancellationToken));
                foreach (var image in response.Images ?? [])
                {
                    result[image.ImageId] = image.BootMode?.Value;
                }
            }
            catch (AwsCallException e) when (e.ErrorCode is "InvalidAMIID.NotFound" or "InvalidAMIID.Unavailable" or "InvalidAMIID.Malformed")
            {
                // Unknown: absent from the answer.
            }
        }
        return result;
    }

    public async Task<IReadOnlyList<InstanceTypeDetails>> DescribeInstanceTypesAsync(IReadOnlyCollection<string> names, string? hypervisor, CancellationToken cancellationToken)
    {
        var result = new List<InstanceTypeDetails>();
        var chunks = names.Count == 0 ? [[]] : names.Chunk(100).ToList();
        foreach (var chunk in chunks)
        {
            string? next = null;
            do
            {
                var request = new DescribeInstanceTypesRequest { NextToken = next };
                if (chunk.Length > 0)
                {
                    request.InstanceTypes = chunk.ToList();
                }
                if (hypervisor is not null)
                {
                    request.Filters = [new Filter("hypervisor", [hypervisor])];
                }
                var response = await Ec2Adapter.Call("DescribeInstanceTypes", () => ec2.DescribeInstanceTypesAsync(request, cancellationToken));
                result.AddRange((response.InstanceTypes ?? []).Select(t => new InstanceTypeDetails
                {
                    Name = t.InstanceType?.Value ?? "",
                    Architectures = (t.ProcessorInfo?.SupportedArchitectures ?? []).ToList(),
                    VirtualizationTypes = (t.SupportedVirtualizationTypes ?? []).ToList(),
                    RootDeviceTypes = (t.SupportedRootDeviceTypes ?? []).ToList(),
                    BootModes = (t.SupportedBootModes ?? []).ToList(),
                    Hypervisor = t.Hypervisor?.Value,
                    EnaSupport = t.NetworkInfo?.EnaSupport?.Value,
                    VCpus = t.VCpuInfo?.DefaultVCpus ?? 0,
                    MemoryMiB = t.MemoryInfo?.SizeInMiB ?? 0,
                    MaxNetworkInterfaces = t.NetworkInfo?.MaximumNetworkInterfaces ?? 0,
                }));
                next = response.NextToken;
            }
            while (!string.IsNullOrEmpty(next));
        }
        return result;
    }

    public async Task<IReadOnlySet<string>> DescribeOfferingsAsync(string availabilityZone, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        var offered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in names.Chunk(100))
        {
            string? next = null;
            do
            {
                var response = await Ec2Adapter.Call("DescribeInstanceTypeOfferings", () => ec2.DescribeInstanceTypeOfferingsAsync(new DescribeInstanceTypeOfferingsRequest
                {
                    LocationType = LocationType.AvailabilityZone,
                    Filters = [new Filter("location", [availabilityZone]), new Filter("instance-type", chunk.ToList())],
                    NextToken = next,
                }, cancellationToken));
                offered.UnionWith((response.InstanceTypeOfferings ?? []).Select(o => o.InstanceType?.Value).OfType<string>());
                next = response.NextToken;
            }
            while (!string.IsNullOrEmpty(next));
        }
        return offered;
    }

    public Task SetInstanceTypeAsync(string instanceId, string instanceType, bool dryRun, CancellationToken cancellationToken) =>
        Ec2Adapter.Call("ModifyInstanceAttribute", () => ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest
        {
            InstanceId = instanceId, InstanceType = instanceType, DryRun = dryRun,
        }, cancellationToken));

    public Task SetDeleteOnTerminationAsync(string instanceId, string device, bool deleteOnTermination, CancellationToken cancellationToken) =>
        Ec2Adapter.Call("ModifyInstanceAttribute", () => ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest
        {
            InstanceId = instanceId,
            BlockDeviceMappings = [new InstanceBlockDeviceMappingSpecification { DeviceName = device, Ebs = new EbsInstanceBlockDeviceSpecification { DeleteOnTermination = deleteOnTermination } }],
        }, cancellationToken));

    public async Task<VolumeState?> DescribeVolumeAsync(string volumeId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Ec2Adapter.Call("DescribeVolumes", () => ec2.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = [volumeId] }, cancellationToken));
            return (response.Volumes ?? []).FirstOrDefault() is { } v ? StateOf(v) : null;
        }
        catch (AwsCallException e) when (e.ErrorCode == "InvalidVolume.NotFound")
        {
            return null;
        }
    }

    public async Task<IReadOnlyDictionary<string, VolumeState>> DescribeVolumesAsync(IReadOnlyCollection<string> volumeIds, CancellationToken cancellationToken)
    {
        // Explicit ids and no MaxResults: EC2 answers them all on one page.
        var response = await Ec2Adapter.Call("DescribeVolumes", () => ec2.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = volumeIds.ToList() }, cancellationToken));
        return (response.Volumes ?? []).Select(StateOf).ToDictionary(v => v.VolumeId, StringComparer.Ordinal);
    }

    private static VolumeState StateOf(Volume v) =>
        new(v.VolumeId, v.State?.Value ?? "unknown", v.AvailabilityZone, v.VolumeType?.Value, v.Encrypted ?? false, v.KmsKeyId,
            (v.Attachments ?? []).FirstOrDefault()?.InstanceId, (v.Attachments ?? []).FirstOrDefault()?.Device, (v.Attachments ?? []).FirstOrDefault()?.State?.Value);

    public Task AttachVolumeAsync(string volumeId, string instanceId, string device, CancellationToken cancellationToken) =>
        Ec2Adapter.Call("AttachVolume", () => ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = volumeId, InstanceId = instanceId, Device = device }, cancellationToken));

    public Task DetachVolumeAsync(string volumeId, string instanceId, CancellationToken cancellationToken) =>
        Ec2Adapter.Call("DetachVolume", () => ec2.DetachVolumeAsync(new DetachVolumeRequest { VolumeId = volumeId, InstanceId = instanceId }, cancellationToken));

    public async Task<string> CreateVolumeFromSnapshotAsync(string snapshotId, string availabilityZone, string? volumeType, IReadOnlyDictionary<string, string> tags, string clientToken, CancellationToken cancellationToken)
    {
        var response = await Ec2Adapter.Call("CreateVolume", () => ec2.CreateVolumeAsync(new CreateVolumeRequest
        {
            SnapshotId = snapshotId,
            AvailabilityZone = availabilityZone,
            VolumeType = volumeType,
            ClientToken = clientToken,
            TagSpecifications = [Tagged(ResourceType.Volume, tags)],
        }, cancellationToken));
        return response.Volume.VolumeId;
    }

    public Task TagVolumeAsync(string volumeId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) => Tag(volumeId, tags, cancellationToken);

    public async Task<string> CreateSnapshotAsync(string volumeId, string description, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var response = await Ec2Adapter.Call("CreateSnapshot", () => ec2.CreateSnapshotAsync(new CreateSnapshotRequest
        {
            VolumeId = volumeId, Description = description, TagSpecifications = [Tagged(ResourceType.Snapshot, tags)],
        }, cancellationToken));
        return response.Snapshot.SnapshotId;
    }

    public async Task<SnapshotState?> DescribeSnapshotAsync(string? snapshotId, KeyValuePair<string, string>? tag, CancellationToken cancellationToken)
    {
        var request = new DescribeSnapshotsRequest { OwnerIds = ["self"] };
        if (snapshotId is not null)
        {
            request.SnapshotIds = [snapshotId];
        }
        if (tag is { } t)
        {
            request.Filters = [new Filter("tag:" + t.Key, [t.Value])];
        }
        try
        {
            var response = await Ec2Adapter.Call("DescribeSnapshots", () => ec2.DescribeSnapshotsAsync(request, cancellationToken));
            return (response.Snapshots ?? []).FirstOrDefault() is { } s ? new SnapshotState(s.SnapshotId, s.State?.Value ?? "pending") : null;
        }
        catch (AwsCallException e) when (e.ErrorCode == "InvalidSnapshot.NotFound")
        {
            return null;
        }
    }

    public async Task<IReadOnlyDictionary<string, SnapshotState>> DescribeSnapshotsAsync(IReadOnlyCollection<string> snapshotIds, CancellationToken cancellationToken)
    {
        var response = await Ec2Adapter.Call("DescribeSnapshots", () => ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"], SnapshotIds = snapshotIds.ToList() }, cancellationToken));
        return (response.Snapshots ?? []).ToDictionary(s => s.SnapshotId, s => new SnapshotState(s.SnapshotId, s.State?.Value ?? "pending"), StringComparer.Ordinal);
    }

    public async Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken)
    {
        try
        {
            await Ec2Adapter.Call("DeleteSnapshot", () => ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshotId }, cancellationToken));
        }
        catch (AwsCallException e) when (e.ErrorCode == "InvalidSnapshot.NotFound")
        {
            // Already gone: what the caller wanted.
        }
    }

    public async Task<IReadOnlyList<RescueInstance>> DescribeRescueInstancesAsync(string launchedBy, CancellationToken cancellationToken)
    {
        var found = new List<RescueInstance>();
        string? next = null;
        do
        {
            var response = await Ec2Adapter.Call("DescribeInstances", () => ec2.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                Filters =
                [
                    new Filter("tag:" + RescueTags.LaunchedBy, [launchedBy]),
                    new Filter("instance-state-name", ["pending", "running", "stopping", "stopped", "shutting-down"]),
                ],
                NextToken = next,
            }, cancellationToken));
            found.AddRange((response.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(i => new RescueInstance(
                i.InstanceId,
                i.State?.Name?.Value ?? "unknown",
                i.Placement?.AvailabilityZone,
                i.Architecture?.Value,
                (i.Tags ?? []).Where(t => t.Key is not null).GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal),
                (i.BlockDeviceMappings ?? []).Select(b => b.DeviceName).ToList(),
                i.RootDeviceName)));
            next = response.NextToken;
        }
        while (!string.IsNullOrEmpty(next));
        return found;
    }

    public async Task<string> RunRescueInstanceAsync(RescueLaunch launch, CancellationToken cancellationToken)
    {
        var request = new RunInstancesRequest
        {
            ImageId = launch.ImageId,
            InstanceType = launch.InstanceType,
            MinCount = 1,
            MaxCount = 1,
            SubnetId = launch.SubnetId,
            Placement = new Placement { AvailabilityZone = launch.AvailabilityZone },
            ClientToken = launch.ClientToken,
            TagSpecifications = [Tagged(ResourceType.Instance, launch.Tags)],
            // The rescue must never outlive a shutdown from inside: terminate, not stop.
            InstanceInitiatedShutdownBehavior = ShutdownBehavior.Terminate,
        };
        if (launch.IamInstanceProfileArn is { } profile)
        {
            request.IamInstanceProfile = new IamInstanceProfileSpecification { Arn = profile };
        }
        var response = await Ec2Adapter.Call("RunInstances", () => ec2.RunInstancesAsync(request, cancellationToken));
        return response.Reservation.Instances[0].InstanceId;
    }

    public Task TagRescueAsync(string instanceId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) => Tag(instanceId, tags, cancellationToken);

    public Task UntagRescueAsync(string instanceId, IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        Ec2Adapter.Call("DeleteTags", () => ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [instanceId], Tags = keys.Select(k => new Tag { Key = k }).ToList() }, cancellationToken));

    public Task TerminateRescueAsync(string instanceId, CancellationToken cancellationToken) =>
        Ec2Adapter.Call("TerminateInstances", () => ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] }, cancellationToken));

    private Task Tag(string resourceId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        Ec2Adapter.Call("CreateTags", () => ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [resourceId], Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList() }, cancellationToken));

    private static TagSpecification Tagged(ResourceType type, IReadOnlyDictionary<string, string> tags) =>
        new() { ResourceType = type, Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList() };
}
