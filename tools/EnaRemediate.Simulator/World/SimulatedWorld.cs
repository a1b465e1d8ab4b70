using EnaRemediate.Simulator.Ssm;
using EnaRemediate.Simulator.Throttling;

namespace EnaRemediate.Simulator.World;

/// <summary>What a new instance is made of, whether it comes from a scenario or from RunInstances.</summary>
internal sealed record LaunchSpec(
    InstanceTypeInfo Type,
    ImageRecord Image,
    GuestOs Guest,
    bool EnaSupport,
    IReadOnlyDictionary<string, string> Tags,
    string? InstanceLifecycle = null,
    int RootVolumeSize = 8)
{
    public string AvailabilityZone { get; init; } = "us-east-1a";
    public int NetworkInterfaces { get; init; } = 1;
    /// <summary>default, dedicated or host (a Dedicated Host, which runs one instance family).</summary>
    public string Tenancy { get; init; } = "default";
    public string? KmsKeyId { get; init; }
}

/// <summary>
/// The simulated account and Region: instances with their guests, volumes, snapshots, images, the
/// SSM command history, faults, throttling buckets and request counters. All state changes happen
/// under <see cref="Sync"/>, and every time-dependent fact is derived from <see cref="Clock"/>.
/// </summary>
public sealed class SimulatedWorld
{
    public const string AccountId = "123456789012";
    public const string Region = "us-east-1";

    private readonly List<SimulatedInstance> _instances = [];
    private readonly Dictionary<string, SimulatedInstance> _instancesById = new(StringComparer.Ordinal);
    private readonly Random _ids;
    private int _ordinal;

    public SimulatedWorld(TimeProvider clock, int seed)
    {
        Clock = clock;
        Seed = seed;
        _ids = new Random(seed);
        Throttle = new ThrottleBuckets(clock);
        Commands = new CommandStore(this);
    }

    public TimeProvider Clock { get; }
    public int Seed { get; }
    public FaultInjector Faults { get; } = new();
    public Permissions Permissions { get; } = new();
    public RequestCounters Counters { get; } = new();
    public ThrottleBuckets Throttle { get; }
    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Held by every request handler and admin operation: one change at a time.</summary>
    internal object Sync { get; } = new();

    public IReadOnlyList<SimulatedInstance> Instances { get { lock (Sync) { return _instances.ToList(); } } }
    /// <summary>Copies for assertions and reports; the simulator itself works on the internal lists.</summary>
    public IReadOnlyList<VolumeRecord> AllVolumes { get { lock (Sync) { return Volumes.ToList(); } } }
    public IReadOnlyList<SnapshotRecord> AllSnapshots { get { lock (Sync) { return Snapshots.ToList(); } } }
    public IReadOnlyList<ImageRecord> AllImages { get { lock (Sync) { return Images.ToList(); } } }

    internal VolumeCollection Volumes { get; } = new();
    internal List<SnapshotRecord> Snapshots { get; } = [];
    internal List<ImageRecord> Images { get; } = [];
    /// <summary>Images deregistered in this account: EC2 still knows their ids (DescribeImages answers nothing, DeregisterImage InvalidAMIID.Unavailable).</summary>
    internal HashSet<string> DeregisteredImageIds { get; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Bundles uploaded to S3 by ec2-upload-bundle (EnaRemediate-RebundleInstance), by manifest
    /// location (bucket/prefix/image.manifest.xml): the root file system as it was bundled. They
    /// outlive any image registered from them, as S3 objects do.
    /// </summary>
    internal Dictionary<string, GuestOs> UploadedBundles { get; } = new(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, GuestOs> AllUploadedBundles { get { lock (Sync) { return UploadedBundles.ToDictionary(); } } }
    internal CommandStore Commands { get; }
    /// <summary>S3 buckets and objects (command outputs written by the SSM agent).</summary>
    public S3.ObjectStore Objects { get; } = new();

    /// <summary>
    /// Availability Zones that offer no Xen type (DescribeInstanceTypeOfferings answers without
    /// them; https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-discovery.html): newer
    /// zones are built with Nitro hardware only.
    /// </summary>
    public HashSet<string> ZonesWithoutXen { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether the type can run in the zone (its offering exists there).</summary>
    public bool IsOffered(InstanceTypeInfo type, string availabilityZone) =>
        !(type.Hypervisor == "xen" && ZonesWithoutXen.Contains(availabilityZone));

    public SimulatedInstance Instance(string instanceId)
    {
        lock (Sync)
        {
            return FindInstance(instanceId) ?? throw new KeyNotFoundException($"no instance {instanceId}");
        }
    }

    /// <summary>
    /// Admin: the way real fleets break. Installs a newer kernel (headers present, but no ena module
    /// and no DKMS rebuild, as when the module was installed by hand), then reboots into it. With
    /// enaSupport on, the instance loses its network and its instance status check turns impaired.
    /// </summary>
    public string BreakWithKernelUpdate(string instanceId, string? newKernel = null)
    {
        lock (Sync)
        {
            var instance = Instance(instanceId);
            var guest = instance.Guest ?? throw new InvalidOperationException($"{instanceId} has no root volume");
            Commands.Settle(Now);
            var kernel = guest.InstallKernelSkippingDkms(newKernel ?? KernelRelease.Next(guest.Newest?.Version));
            if (instance.State == InstanceStates.Running)
            {
                instance.Reboot(Now);
            }
            return kernel.Version;
        }
    }

    /// <summary>Admin: an OS reboot of a running instance (it boots its newest kernel).</summary>
    public void Reboot(string instanceId)
    {
        lock (Sync)
        {
            Commands.Settle(Now);
            var instance = Instance(instanceId);
            if (instance.State == InstanceStates.Running)
            {
                instance.Reboot(Now);
            }
        }
    }

    internal SimulatedInstance? FindInstance(string instanceId) =>
        _instancesById.TryGetValue(instanceId, out var instance) ? instance : null;

    internal VolumeRecord? RootVolumeOf(SimulatedInstance instance) =>
        Volumes.AttachedTo(instance.InstanceId).FirstOrDefault(v => v.Attachment!.Device == instance.RootDeviceName);

    internal IEnumerable<VolumeRecord> VolumesOf(string instanceId) => Volumes.AttachedTo(instanceId);

    /// <summary>The fleet without a copy, for handlers that already hold <see cref="Sync"/>.</summary>
    internal IReadOnlyList<SimulatedInstance> AllInstances => _instances;

    internal SimulatedInstance Launch(LaunchSpec spec, DateTimeOffset launchTime)
    {
        var ordinal = _ordinal++;
        var id = NewId("i");
        var random = new Random(unchecked(Seed * 1_000_003 + ordinal));
        var instanceStore = spec.Image.RootDeviceType == "instance-store";
        var instance = new SimulatedInstance(this, id, spec.Type, random, InstanceStates.Stopped)
        {
            ImageId = spec.Image.ImageId,
            RootDeviceType = spec.Image.RootDeviceType,
            RootDeviceName = spec.Image.RootDeviceName,
            VirtualizationType = spec.Image.VirtualizationType,
            Architecture = spec.Image.Architecture,
            KernelId = spec.Image.KernelId,
            RamdiskId = spec.Image.RamdiskId,
            BootMode = spec.Image.BootMode ?? (spec.Image.Architecture == "arm64" ? "uefi" : "legacy-bios"),
            AvailabilityZone = spec.AvailabilityZone,
            NetworkInterfaces = spec.NetworkInterfaces,
            Tenancy = spec.Tenancy,
            ProductCodes = spec.Image.ProductCodes,
            LaunchTime = launchTime,
            PrivateIpAddress = $"10.0.{ordinal / 250 % 250}.{ordinal % 250 + 4}",
            InstanceLifecycle = spec.InstanceLifecycle,
            SriovNetSupport = spec.Image.SriovNetSupport,
            LocalGuest = instanceStore ? spec.Guest : null,
        };
        instance.EnaSupport = spec.EnaSupport;
        foreach (var (key, value) in spec.Tags)
        {
            instance.Tags[key] = value;
        }
        if (!instanceStore)
        {
            var rootSnapshot = spec.Image.BlockDevices.FirstOrDefault(b => b.DeviceName == spec.Image.RootDeviceName)?.SnapshotId;
            Volumes.Add(new VolumeRecord
            {
                VolumeId = NewId("vol"),
                Size = spec.RootVolumeSize,
                AvailabilityZone = instance.AvailabilityZone,
                SnapshotId = rootSnapshot,
                CreateTime = launchTime,
                Guest = spec.Guest,
                OriginInstanceId = id,
                Encrypted = spec.KmsKeyId is not null,
                KmsKeyId = spec.KmsKeyId,
                ProductCodes = spec.Image.ProductCodes,
                Attachment = new VolumeAttachment
                {
                    InstanceId = id,
                    Device = instance.RootDeviceName,
                    AttachTime = launchTime,
                    AttachedAt = launchTime,
                    DeleteOnTermination = true,
                },
            });
        }
        _instances.Add(instance);
        _instancesById[id] = instance;
        return instance;
    }

    internal ImageRecord AddImage(Func<string, ImageRecord> build)
    {
        var image = build(NewId("ami"));
        Images.Add(image);
        return image;
    }

    /// <summary>Resource ids in EC2's long form (prefix, dash, 17 hex digits), deterministic under the seed.</summary>
    internal string NewId(string prefix)
    {
        Span<byte> bytes = stackalloc byte[9];
        _ids.NextBytes(bytes);
        return $"{prefix}-0{Convert.ToHexStringLower(bytes)[..16]}";
    }

    internal Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _ids.NextBytes(bytes);
        return new Guid(bytes);
    }
}
