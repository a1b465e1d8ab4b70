using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Engine.Tests.Nitro;

/// <summary>Routing of ENA-required instances from observed facts, case by case, with the reason and the stand-in.</summary>
public sealed class NitroRoutingTableTests
{
    private const string Id = "i-0123456789abcdef0";

    private static InstanceTypeDetails Xen(string name, int vcpus, int gib, int enis, bool pv = false) => new()
    {
        Name = name, Architectures = ["x86_64"], VirtualizationTypes = pv ? ["hvm", "paravirtual"] : ["hvm"], RootDeviceTypes = ["ebs"],
        BootModes = ["legacy-bios"], Hypervisor = "xen", EnaSupport = "unsupported", VCpus = vcpus, MemoryMiB = gib * 1024L, MaxNetworkInterfaces = enis,
    };

    private static readonly InstanceTypeDetails[] Offered = [Xen("t2.large", 2, 8, 3), Xen("m4.large", 2, 8, 2), Xen("m4.2xlarge", 8, 32, 4), Xen("r4.large", 2, 16, 3), Xen("m1.large", 2, 8, 3, pv: true)];

    private static InstanceFacts Facts(string architecture = "x86_64", string boot = "legacy-bios", string? imageBoot = null, int enis = 1,
        string? root = "vol-0123456789abcdef0", string[]? marketplace = null, string tenancy = "default", InstanceTypeDetails[]? offered = null, int vcpus = 2, int gib = 8)
    {
        var instance = new Ec2Instance { InstanceId = Id, State = "running", InstanceType = "m5.large", RootDeviceType = "ebs", VirtualizationType = "hvm", EnaSupport = true,
            Tags = new Dictionary<string, string> { [TriageRules.OptInTag] = "true" } };
        var nitro = new NitroFacts(
            new NitroInstance { InstanceId = Id, Architecture = architecture, BootMode = boot, AvailabilityZone = "us-east-1a", NetworkInterfaces = enis, RootDeviceName = "/dev/xvda",
                RootVolumeId = root, MarketplaceCodes = marketplace ?? [], Tenancy = tenancy },
            imageBoot,
            new InstanceTypeDetails { Name = "m5.large", VCpus = vcpus, MemoryMiB = gib * 1024L },
            offered ?? Offered);
        return new InstanceFacts(Id, instance, "required", new Ec2StatusChecks("ok", "impaired"), null) { Nitro = nitro };
    }

    [Fact]
    public void A_swappable_instance_gets_type_swap_with_the_nearest_current_xen_type_that_has_room_for_its_interfaces()
    {
        var result = TriageRules.Decide(Facts(), remediate: true);
        Assert.Equal((PlanNames.TypeSwap, null), (result.Plan, result.RefusalCode));
        Assert.Equal("m4.large", result.Memo[NitroRouting.StandInMemo]);
        Assert.Equal("t2.large", TriageRules.Decide(Facts(enis: 3), remediate: true).Memo[NitroRouting.StandInMemo]);
        Assert.Equal("m4.2xlarge", TriageRules.Decide(Facts(vcpus: 8, gib: 32), remediate: true).Memo[NitroRouting.StandInMemo]);
    }

    [Theory]
    [InlineData("arm64", "legacy-bios", null, 1, "default", "no arm64 Xen type")]
    [InlineData("x86_64", "uefi", null, 1, "default", "Xen types boot legacy BIOS only")]
    [InlineData("x86_64", "legacy-bios", "uefi", 1, "default", "a UEFI-only AMI")]
    [InlineData("x86_64", "legacy-bios", null, 9, "default", "9 network interfaces")]
    [InlineData("x86_64", "legacy-bios", null, 1, "host", "Dedicated Host")]
    public void What_type_swap_cannot_take_goes_to_offline_repair_with_the_reason(string architecture, string boot, string? imageBoot, int enis, string tenancy, string why)
    {
        var result = TriageRules.Decide(Facts(architecture, boot, imageBoot, enis, tenancy: tenancy), remediate: true);
        Assert.Equal((PlanNames.OfflineRepair, null), (result.Plan, result.RefusalCode));
        Assert.Contains(why, result.Reason);
    }

    [Fact]
    public void No_xen_offering_in_the_zone_means_offline_repair()
    {
        var result = TriageRules.Decide(Facts(offered: []), remediate: true);
        Assert.Equal(PlanNames.OfflineRepair, result.Plan);
        Assert.Contains("no Xen type is offered in us-east-1a", result.Reason);
    }

    [Fact]
    public void Guards_refuse_an_unidentifiable_root_and_a_marketplace_root_that_type_swap_cannot_take()
    {
        Assert.Equal(RefusalCodes.RootUnidentified, TriageRules.Decide(Facts(root: null), remediate: true).RefusalCode);
        var marketplace = TriageRules.Decide(Facts("arm64", marketplace: ["abc123"]), remediate: true);
        Assert.Equal(RefusalCodes.MarketplaceVolume, marketplace.RefusalCode);
        Assert.Contains("abc123", marketplace.Reason);
        // An x86 Marketplace instance a Xen type can take is still swapped: its root never leaves it.
        Assert.Equal(PlanNames.TypeSwap, TriageRules.Decide(Facts(marketplace: ["abc123"]), remediate: true).Plan);
    }

    [Theory]
    [InlineData("offline-repair", "x86_64", "offline-repair", null)]
    [InlineData("type-swap", "arm64", "type-swap", RefusalCodes.RouteNotPossible)]
    [InlineData("sideways", "x86_64", "refused", RefusalCodes.RouteNotPossible)]
    public void The_operators_route_wins_when_the_facts_allow_it(string route, string architecture, string plan, string? refusal)
    {
        var result = TriageRules.Decide(Facts(architecture), remediate: true, route: route);
        Assert.Equal((plan, refusal), (result.Plan, result.RefusalCode));
    }
}
