using System.Xml.Linq;
using EnaRemediate.Simulator.World;
using static EnaRemediate.Simulator.Ec2.Ec2Xml;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>
/// DescribeInstanceTypes, answered from the simulator's own <see cref="InstanceTypeTable"/>, and
/// DescribeInstanceTypeOfferings by Availability Zone
/// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypeOfferings.html).
/// </summary>
internal static class InstanceTypeActions
{
    private static readonly FilterSet<InstanceTypeInfo> TypeFilters = new FilterSet<InstanceTypeInfo>()
        .On("instance-type", t => t.Name)
        .On("network-info.ena-support", t => t.EnaSupport)
        .On("hypervisor", t => t.Hypervisor)
        .On("bare-metal", t => t.BareMetal ? "true" : "false")
        .OnMany("supported-root-device-type", t => t.SupportedRootDeviceTypes)
        .OnMany("supported-virtualization-type", t => t.SupportedVirtualizationTypes)
        .OnMany("processor-info.supported-architecture", t => t.Architectures);

    private static readonly string[] Zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"];

    public static void Register(Ec2Router router)
    {
        router.Add("DescribeInstanceTypes", DescribeInstanceTypes);
        router.Add("DescribeInstanceTypeOfferings", DescribeInstanceTypeOfferings);
    }

    // Every Xen type, and the Nitro types the fleet uses or names (Nitro families are resolved by rule, so their full size lists are not enumerable).
    private static IEnumerable<InstanceTypeInfo> Enumerable(Ec2Context ctx) =>
        InstanceTypeTable.XenTypes.Concat(ctx.World.Instances.Select(i => i.Type).Where(t => t.IsNitro).DistinctBy(t => t.Name));

    private static IEnumerable<XElement> DescribeInstanceTypeOfferings(Ec2Context ctx)
    {
        var locationType = ctx.Request.Get("LocationType") ?? "region";
        if (locationType is not ("region" or "availability-zone" or "availability-zone-id"))
        {
            throw new ApiException("InvalidParameterValue", $"Value ({locationType}) for parameter locationType is invalid.");
        }
        var filters = ctx.Request.Filters();
        var named = filters.Where(f => f.Name == "instance-type").SelectMany(f => f.Values).ToList();
        var locations = filters.Where(f => f.Name == "location").SelectMany(f => f.Values).ToList();
        var types = named.Count > 0 ? named.Where(n => InstanceTypeTable.TryGet(n, out _)).Select(InstanceTypeTable.Get) : Enumerable(ctx);
        var zones = locationType == "region" ? [SimulatedWorld.Region] : Zones.Where(z => locations.Count == 0 || locations.Contains(z)).ToArray();
        var offers = types.SelectMany(t => zones.Where(z => z == SimulatedWorld.Region || ctx.World.IsOffered(t, z)).Select(z => (Type: t.Name, Zone: z))).ToList();
        ctx.ExitIfDryRun();
        var (page, next) = Paging.Page(offers, ctx.Request, 5, 1000);
        yield return Set("instanceTypeOfferingSet", page.Select(o => new object?[]
        {
            E("instanceType", o.Type), E("locationType", locationType), E("location", o.Zone),
        }));
        if (next is not null)
        {
            yield return E("nextToken", next);
        }
    }

    private static IEnumerable<XElement> DescribeInstanceTypes(Ec2Context ctx)
    {
        var names = ctx.Request.List("InstanceType");
        var unknown = names.Where(n => !InstanceTypeTable.TryGet(n, out _)).ToList();
        if (unknown.Count > 0)
        {
            throw new ApiException("InvalidInstanceType", $"The following supplied instance types do not exist: [{string.Join(", ", unknown)}]");
        }
        // Without names: every Xen type (listed exactly) and the Nitro types the fleet uses (Nitro
        // families are resolved by rule, so their full size lists are not enumerable here).
        var candidates = names.Count > 0 ? names.Distinct().Select(InstanceTypeTable.Get) : Enumerable(ctx);
        var match = TypeFilters.Compile(ctx.Request.Filters());
        var selected = candidates.Where(match).ToList();
        ctx.ExitIfDryRun();
        var (page, next) = Paging.Page(selected, ctx.Request, 5, 100);
        yield return Set("instanceTypeSet", page.Select(t => new object?[]
        {
            E("instanceType", t.Name),
            StringSet("supportedRootDeviceTypes", t.SupportedRootDeviceTypes),
            StringSet("supportedVirtualizationTypes", t.SupportedVirtualizationTypes),
            E("bareMetal", t.BareMetal),
            t.Hypervisor is null ? null : E("hypervisor", t.Hypervisor),
            E("processorInfo", StringSet("supportedArchitectures", t.Architectures)),
            E("vCpuInfo", E("defaultVCpus", t.VCpus())),
            E("memoryInfo", E("sizeInMiB", t.MemoryMiB())),
            E("instanceStorageSupported", t.InstanceStorageSupported),
            StringSet("supportedBootModes", t.BootModes()),
            E("networkInfo", E("enaSupport", t.EnaSupport), E("maximumNetworkInterfaces", t.MaxNetworkInterfaces())),
        }));
        if (next is not null)
        {
            yield return E("nextToken", next);
        }
    }
}
