using System.Xml.Linq;
using EnaRemediate.Simulator.World;
using static EnaRemediate.Simulator.Ec2.Ec2Xml;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>DescribeInstanceTypes, answered from the simulator's own <see cref="InstanceTypeTable"/>.</summary>
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

    public static void Register(Ec2Router router) => router.Add("DescribeInstanceTypes", DescribeInstanceTypes);

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
        var candidates = names.Count > 0
            ? names.Distinct().Select(InstanceTypeTable.Get)
            : InstanceTypeTable.XenTypes.Concat(ctx.World.Instances.Select(i => i.Type).Where(t => t.IsNitro).DistinctBy(t => t.Name));
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
            E("instanceStorageSupported", t.InstanceStorageSupported),
            E("networkInfo", E("enaSupport", t.EnaSupport)),
        }));
        if (next is not null)
        {
            yield return E("nextToken", next);
        }
    }
}
