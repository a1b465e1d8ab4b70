using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Triage;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests;

/// <summary>
/// Triage for every plan and refusal. Instance types and their EnaSupport come from the
/// simulator's type table, which the simulator's own tests check against the real type data.
/// </summary>
public sealed class TriageTableTests
{
    private const string Id = "i-0123456789abcdef0";

    private static InstanceFacts Facts(string type, Action<Dictionary<string, string>>? tags = null, string root = "ebs", string virt = "hvm",
        bool ena = true, string? lifecycle = null, string state = "running", string system = "ok")
    {
        var tagSet = new Dictionary<string, string> { [TriageRules.OptInTag] = "true" };
        tags?.Invoke(tagSet);
        var instance = new Ec2Instance
        {
            InstanceId = Id, State = state, InstanceType = type, RootDeviceType = root, VirtualizationType = virt,
            EnaSupport = ena, InstanceLifecycle = lifecycle, Tags = tagSet,
        };
        return new InstanceFacts(Id, instance, InstanceTypeTable.Get(type).EnaSupport, new Ec2StatusChecks(system, "impaired"), null);
    }

    [Theory]
    [InlineData("r4.large", "fallback")]
    [InlineData("i3.xlarge", "fallback")]
    [InlineData("x1e.xlarge", "fallback")]
    [InlineData("m4.16xlarge", "fallback")]
    [InlineData("h1.2xlarge", "fallback")]
    [InlineData("m5.large", "offline-repair")]
    [InlineData("c6i.xlarge", "offline-repair")]
    [InlineData("t3.micro", "offline-repair")]
    public void EbsBackedTypesGetThePlanTheirEnaSupportAllows(string type, string plan)
    {
        var result = TriageRules.Decide(Facts(type), remediate: true);
        Assert.False(result.Refused, result.Reason);
        Assert.Equal(plan, result.Plan);
    }

    [Fact]
    public void EveryTypeTheTableCallsSupportedFallsBack()
    {
        var supported = InstanceTypeTable.XenTypes.Where(t => t.EnaSupport == "supported").ToList();
        Assert.NotEmpty(supported);
        Assert.All(supported, t => Assert.Equal("fallback", TriageRules.Decide(Facts(t.Name), remediate: true).Plan));
    }

    [Fact]
    public void InstanceStoreBackedGetsAReregisteredAmi() =>
        Assert.Equal("reregister-ami", TriageRules.Decide(Facts("x1.16xlarge", root: "instance-store"), remediate: true).Plan);

    [Fact]
    public void DiagnoseModeNeverActs()
    {
        var result = TriageRules.Decide(Facts("r4.large"), remediate: false);
        Assert.Equal("diagnose-only", result.Plan);
        Assert.False(result.Refused);
        Assert.Contains("fallback", result.Reason);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "pv-with-ena", RefusalCodes.ParavirtualWithEna },
        { "not-opted-in", RefusalCodes.NotOptedIn },
        { "opsworks", RefusalCodes.OpsWorks },
        { "auto-scaling", RefusalCodes.AutoScaling },
        { "spot", RefusalCodes.Spot },
        { "system-check", RefusalCodes.SystemCheckFailed },
        { "unsupported-type", RefusalCodes.EnaUnsupportedType },
        { "terminated", RefusalCodes.Terminated },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void RefusalsSayWhyInPlainWords(string situation, string code)
    {
        var facts = situation switch
        {
            "pv-with-ena" => Facts("m3.medium", virt: "paravirtual"),
            "not-opted-in" => Facts("r4.large", t => t.Remove(TriageRules.OptInTag)),
            "opsworks" => Facts("r4.large", t => t["opsworks:stack"] = "legacy"),
            "auto-scaling" => Facts("r4.large", t => t["aws:autoscaling:groupName"] = "web-asg"),
            "spot" => Facts("r4.large", lifecycle: "spot"),
            "system-check" => Facts("r4.large", system: "impaired"),
            "unsupported-type" => Facts(InstanceTypeTable.XenTypes.First(t => t.EnaSupport == "unsupported").Name, ena: false),
            "terminated" => Facts("r4.large", state: "terminated"),
            _ => throw new ArgumentOutOfRangeException(nameof(situation)),
        };
        var result = TriageRules.Decide(facts, remediate: true);
        Assert.True(result.Refused);
        Assert.Equal(code, result.RefusalCode);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Fact]
    public void ADeploymentsOwnOptInTagKeyIsTheOneThatCounts()
    {
        const string key = "team:ena-remediation";
        var withOwnKey = Facts("r4.large", t => { t.Remove(TriageRules.OptInTag); t[key] = "true"; });
        Assert.Equal("fallback", TriageRules.Decide(withOwnKey, remediate: true, optInTagKey: key).Plan);

        var withDefaultKeyOnly = TriageRules.Decide(Facts("r4.large"), remediate: true, optInTagKey: key);
        Assert.Equal(RefusalCodes.NotOptedIn, withDefaultKeyOnly.RefusalCode);
        Assert.Contains(key, withDefaultKeyOnly.Reason);
    }

    [Fact]
    public void OptInAllMakesTheTagUnnecessary() =>
        Assert.Equal("fallback", TriageRules.Decide(Facts("r4.large", t => t.Remove(TriageRules.OptInTag)), remediate: true, optInAll: true).Plan);

    [Theory]
    [InlineData("i-0123456789abcdef0", true)]
    [InlineData("i-01234567", true)]
    [InlineData("i-0123456789ABCDEF0", false)]
    [InlineData("i-123; rm -rf /", false)]
    [InlineData("", false)]
    [InlineData("vol-0123456789abcdef0", false)]
    public void InstanceIdsAreCheckedBeforeAnyCall(string id, bool valid)
    {
        Assert.Equal(valid, TriageRules.IsValidInstanceId(id));
        if (!valid)
        {
            Assert.Equal(RefusalCodes.InvalidId, TriageRules.Decide(new InstanceFacts(id, null, null, null, null), remediate: true).RefusalCode);
        }
    }

    [Fact]
    public void UnknownInstanceIsRefusedAsNotFound() =>
        Assert.Equal(RefusalCodes.NotFound, TriageRules.Decide(new InstanceFacts(Id, null, null, null, null), remediate: true).RefusalCode);
}
