using System.Reflection;
using EnaRemediate.Core;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Engine.Tests;

/// <summary>IAM is derived from the ports: every step's permissions must be on an attributed port method.</summary>
public sealed class PermissionsTests
{
    private static HashSet<string> PortActions() =>
        new[] { typeof(IEc2Port), typeof(ISsmPort), typeof(INitroPort) }.SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetCustomAttributes<AwsActionAttribute>()).Select(a => a.Action).ToHashSet();

    [Fact]
    public void EveryPortMethodDeclaresItsAction() =>
        Assert.All(new[] { typeof(IEc2Port), typeof(ISsmPort), typeof(INitroPort) }.SelectMany(t => t.GetMethods()),
            m => Assert.NotEmpty(m.GetCustomAttributes<AwsActionAttribute>()));

    [Fact]
    public void EveryStepPermissionIsAPortAction()
    {
        var service = new RemediationService(new Fakes.FakeCloud(TimeProvider.System), new Fakes.FakeCloud(TimeProvider.System), new Core.Engine.Stores.InMemoryRemediationStore(), new EngineOptions(), TimeProvider.System,
            nitro: new Aws.Engine.NitroAdapter(new Amazon.EC2.AmazonEC2Client(new Amazon.Runtime.AnonymousAWSCredentials(), Amazon.RegionEndpoint.USEast1)));
        Assert.True(service.Plans.TryGet("type-swap", out _) && service.Plans.TryGet("offline-repair", out _));
        var actions = PortActions();
        var steps = service.Plans.All.SelectMany(p => p.Steps.Concat(p.Rollback is null ? [] : [p.Rollback])).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps.SelectMany(s => s.Permissions), permission => Assert.Contains(permission, actions));
    }

    [Fact]
    public void MutatingActionsAreMarked()
    {
        var mutating = new[] { typeof(IEc2Port), typeof(ISsmPort) }.SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetCustomAttributes<AwsActionAttribute>()).Where(a => a.Mutating).Select(a => a.Action).ToHashSet();
        Assert.Equal(new HashSet<string> { "ec2:StopInstances", "ec2:StartInstances", "ec2:ModifyInstanceAttribute", "ssm:SendCommand" }, mutating);
    }
}
