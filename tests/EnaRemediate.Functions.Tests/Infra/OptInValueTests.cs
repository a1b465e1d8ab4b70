using Amazon.EC2.Model;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Triage;
using EnaRemediate.Functions.Tests.EndToEnd;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>
/// One rule for the opt-in value (exactly TriageRules.OptInValue) in triage, the sweep's filter and
/// IAM (whose conditions RolePermissionTests and IamSimulatorTests check against the same constant).
/// </summary>
public sealed class OptInValueTests(Dynalite dynalite) : IClassFixture<Dynalite>
{
    [Theory]
    [InlineData("true", false)]
    [InlineData("True", true)]
    [InlineData("TRUE", true)]
    [InlineData("yes", true)]
    public void Triage_takes_the_opt_in_value_exactly_as_IAM_does(string value, bool refused)
    {
        var facts = new InstanceFacts("i-0123456789abcdef0",
            new Ec2Instance { InstanceId = "i-0123456789abcdef0", State = "running", InstanceType = "t3.large", RootDeviceType = "ebs", VirtualizationType = "hvm", EnaSupport = true, Tags = new Dictionary<string, string> { [TriageRules.OptInTag] = value } },
            "supported", new Ec2StatusChecks("ok", "impaired"), "Online");
        var triage = TriageRules.Decide(facts, remediate: true);
        Assert.Equal(refused, triage.Refused && triage.RefusalCode == RefusalCodes.NotOptedIn);
    }
    [Fact]
    public async Task The_sweep_passes_over_an_impaired_instance_tagged_True()
    {
        await using var deployment = await Deployment.StartAsync(dynalite, "kernel-update");
        var impaired = deployment.Sim.World.Instances.Select(i => i.InstanceId).ToList();
        Assert.True(impaired.Count > 1);
        await deployment.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [impaired[0]], Tags = [new Tag(TriageRules.OptInTag, "True")] });

        var found = await deployment.Services.ImpairedInstances.FindAsync(CancellationToken.None);

        Assert.DoesNotContain(impaired[0], found);
        Assert.Equal(impaired.Skip(1).Order(StringComparer.Ordinal), found);
    }
}
