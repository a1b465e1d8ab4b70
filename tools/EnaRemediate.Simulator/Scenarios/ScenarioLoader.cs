using System.Reflection;
using System.Text.Json;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Scenarios;

/// <summary>
/// Finds a scenario by name (embedded in the assembly, so a packed tool has them) or by path, and
/// builds its fleet into a world: images with their snapshots or bundles, instances already
/// running for months, and the breakage the scenario describes already in place.
/// </summary>
public static class ScenarioLoader
{
    private const string ResourcePrefix = "EnaRemediate.Simulator.Scenarios.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The names of the scenarios shipped with the simulator.</summary>
    public static IReadOnlyList<string> BuiltIn =>
        typeof(ScenarioLoader).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^5])
            .Order(StringComparer.Ordinal)
            .ToList();

    public static ScenarioDefinition Load(string nameOrPath)
    {
        string text;
        var resource = typeof(ScenarioLoader).Assembly.GetManifestResourceStream(ResourcePrefix + nameOrPath + ".json");
        if (resource is not null)
        {
            using var reader = new StreamReader(resource);
            text = reader.ReadToEnd();
        }
        else if (nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(nameOrPath))
        {
            text = File.ReadAllText(nameOrPath);
        }
        else
        {
            throw new ArgumentException($"unknown scenario '{nameOrPath}'; built-in scenarios: {string.Join(", ", BuiltIn)}", nameof(nameOrPath));
        }
        try
        {
            return JsonSerializer.Deserialize<ScenarioDefinition>(text, Json)
                ?? throw new ArgumentException($"scenario '{nameOrPath}' is empty", nameof(nameOrPath));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"scenario '{nameOrPath}' is not valid: {e.Message}", nameof(nameOrPath), e);
        }
    }

    /// <summary>Group sizes scaled so the fleet has <paramref name="instances"/> instances, in the scenario's proportions.</summary>
    public static IReadOnlyList<int> Scale(IReadOnlyList<ScenarioGroup> groups, int? instances)
    {
        var counts = groups.Select(g => g.Count).ToList();
        if (instances is not { } total)
        {
            return counts;
        }
        if (total < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(instances), total, "a fleet needs at least one instance");
        }
        var sum = counts.Sum();
        var exact = counts.Select(c => (double)c * total / sum).ToList();
        var scaled = exact.Select(e => (int)Math.Floor(e)).ToList();
        // Largest remainders get the instances the rounding left over, earlier groups first on ties.
        foreach (var i in exact.Select((e, i) => (Remainder: e - Math.Floor(e), i)).OrderByDescending(x => x.Remainder).ThenBy(x => x.i).Take(total - scaled.Sum()).Select(x => x.i))
        {
            scaled[i]++;
        }
        return scaled;
    }

    internal static void Populate(SimulatedWorld world, ScenarioDefinition scenario, int? instances)
    {
        var now = world.Now;
        world.ZonesWithoutXen.UnionWith(scenario.ZonesWithoutXen);
        var images = scenario.Images.ToDictionary(i => i.Key, i => CreateImage(world, i, now), StringComparer.Ordinal);
        var counts = Scale(scenario.Groups, instances);
        for (var g = 0; g < scenario.Groups.Count; g++)
        {
            var group = scenario.Groups[g];
            if (!images.TryGetValue(group.Image, out var image))
            {
                throw new ArgumentException($"scenario '{scenario.Name}': group '{group.Name}' names unknown image '{group.Image}'");
            }
            var template = scenario.Images.First(i => i.Key == group.Image);
            for (var n = 0; n < counts[g]; n++)
            {
                var typeName = group.InstanceTypes[n % group.InstanceTypes.Count];
                if (!InstanceTypeTable.TryGet(typeName, out var type))
                {
                    throw new ArgumentException($"scenario '{scenario.Name}': unknown instance type '{typeName}'");
                }
                var tags = new Dictionary<string, string>(group.Tags, StringComparer.Ordinal) { ["Name"] = $"{group.Name}-{n + 1}" };
                var instance = world.Launch(new LaunchSpec(type, image, Guest(template.Guest), group.EnaSupport ?? image.EnaSupport, tags, group.Lifecycle)
                    {
                        AvailabilityZone = group.AvailabilityZone,
                        NetworkInterfaces = group.NetworkInterfaces,
                        Tenancy = group.Tenancy,
                        KmsKeyId = group.KmsKeyId,
                    },
                    now - TimeSpan.FromDays(200));
                instance.KeyName = group.KeyName;
                instance.IamInstanceProfileArn = group.IamInstanceProfileArn;
                instance.SecurityGroupIds = group.SecurityGroupIds ?? instance.SecurityGroupIds;
                instance.UserData = group.UserData;
                ApplyFaults(world.Faults.For(instance.InstanceId), group.Faults);
                Settle(world, instance, group, now);
            }
        }
    }

    // Bring the instance to the scenario's "now": months of service, then the breakage if any.
    private static void Settle(SimulatedWorld world, SimulatedInstance instance, ScenarioGroup group, DateTimeOffset now)
    {
        if (group.Broken == "kernel-update")
        {
            var guest = instance.Guest!;
            guest.InstallKernelSkippingDkms(KernelRelease.Next(guest.Newest?.Version));
        }
        else if (group.Broken is not null && group.Broken != PendingKernelUpdate.Breakage)
        {
            throw new ArgumentException($"group '{group.Name}': unknown breakage '{group.Broken}'");
        }
        if (group.State == InstanceStates.Stopped)
        {
            instance.SetStopped("User initiated (scenario)");
            instance.MarkRegisteredEarlier();
            return;
        }
        using (PendingKernelUpdate.HoldBackNewest(instance.Guest, group.Broken))
        {
            instance.SetLongRunning(now - TimeSpan.FromMinutes(30) - instance.Random.Draw(Latencies.Boot));
        }
        instance.MarkRegisteredEarlier();
    }

    private static ImageRecord CreateImage(SimulatedWorld world, ScenarioImage spec, DateTimeOffset now)
    {
        var created = now - TimeSpan.FromDays(400);
        var guest = Guest(spec.Guest);
        var instanceStore = spec.RootDeviceType == "instance-store";
        var rootDevice = instanceStore ? "/dev/sda1" : "/dev/xvda";
        var devices = new List<ImageBlockDevice>();
        if (!instanceStore)
        {
            var snapshot = new SnapshotRecord
            {
                SnapshotId = world.NewId("snap"),
                VolumeId = "vol-ffffffff",
                VolumeSize = 8,
                StartTime = created,
                CompletesAt = created,
                Description = $"root of {spec.Name}",
                Guest = guest,
            };
            world.Snapshots.Add(snapshot);
            devices.Add(new ImageBlockDevice(rootDevice, SnapshotId: snapshot.SnapshotId, VolumeSize: 8, DeleteOnTermination: true, VolumeType: "gp3"));
        }
        devices.AddRange(Enumerable.Range(0, spec.Ephemeral).Select(e => new ImageBlockDevice($"/dev/sd{(char)('b' + e)}", VirtualName: $"ephemeral{e}")));
        return world.AddImage(id => new ImageRecord
        {
            ImageId = id,
            Name = spec.Name,
            Description = $"simulator image {spec.Key}",
            ImageLocation = instanceStore ? $"enaremediate-sim-bundles/{spec.Key}/image.manifest.xml" : null,
            KernelId = spec.KernelId,
            RamdiskId = spec.RamdiskId,
            Architecture = spec.Architecture,
            OwnerId = spec.OwnerId ?? SimulatedWorld.AccountId,
            RootDeviceType = spec.RootDeviceType,
            RootDeviceName = rootDevice,
            VirtualizationType = spec.VirtualizationType,
            EnaSupport = spec.EnaSupport,
            SriovNetSupport = spec.SriovNetSupport,
            BootMode = spec.BootMode,
            ProductCodes = spec.ProductCodes,
            CreationDate = created,
            AvailableAt = created,
            BlockDevices = devices,
            BundledGuest = instanceStore ? guest : null,
        });
    }

    private static GuestOs Guest(ScenarioGuest spec) => new()
    {
        DistroId = spec.DistroId,
        DistroVersion = spec.DistroVersion,
        PrettyName = spec.PrettyName,
        DkmsInstalled = spec.Dkms,
        DkmsEnaVersion = spec.DkmsEnaVersion,
        SsmAgentInstalled = spec.SsmAgent,
        NetIfnames = spec.NetIfnames,
        FstabNamesNvmeDevices = spec.FstabNamesNvmeDevices,
        Kernels = spec.Kernels.Select(k => new KernelInstall
        {
            Version = k.Version,
            Headers = k.Headers,
            HeadersAvailable = k.HeadersAvailable,
            Ena = k.Ena is { } e
                ? e.InTree ? GuestOs.InTreeModule(k.Version, e.Version) : new EnaModule(e.Version, false, $"/lib/modules/{k.Version}/updates/ena.ko")
                : null,
            InitramfsContainsEna = k.Ena is not null,
            IncompatibleDriverVersions = k.IncompatibleDriverVersions,
        }).ToList(),
    };

    private static void ApplyFaults(InstanceFaults target, ScenarioFaults? faults)
    {
        if (faults is null)
        {
            return;
        }
        target.StuckStopping = faults.StuckStopping;
        target.InsufficientCapacityStarts = faults.InsufficientCapacityStarts;
        target.SsmAgentNeverOnline = faults.SsmAgentNeverOnline;
        target.DriverBuildFails = faults.DriverBuildFails;
        target.ValidationFailsAfterEnaEnabled = faults.ValidationFailsAfterEnaEnabled;
        target.SystemCheckImpaired = faults.SystemCheckImpaired;
    }
}
