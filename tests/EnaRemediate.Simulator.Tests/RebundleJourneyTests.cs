using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.SimpleSystemsManagement.Model;

namespace EnaRemediate.Simulator.Tests;

/// <summary>
/// What the replacement journey relies on (docs/instance-store.md): EnaRemediate-RebundleInstance
/// uploads the root file system as it is at that moment, RegisterImage takes that bundle, and an
/// instance from it boots what was bundled: with ENA on it is reachable only if the driver was in it.
/// </summary>
public sealed class RebundleJourneyTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private const string Scenario = """
    { "name": "bundle-without-ena", "images": [
        { "key": "bundle", "name": "batch-2018", "rootDeviceType": "instance-store", "enaSupport": false, "ephemeral": 1,
          "guest": { "kernels": [ { "version": "6.1.0-56-amd64", "headers": true } ] } },
        { "key": "ebs", "name": "debian-ebs", "enaSupport": false, "guest": { "kernels": [ { "version": "6.1.0-56-amd64", "headers": true } ] } } ],
      "groups": [
        { "name": "store", "instanceTypes": ["x1.16xlarge"], "image": "bundle" },
        { "name": "ebs", "instanceTypes": ["m4.large"], "image": "ebs" } ] }
    """;

    [Fact]
    public async Task ABundleHoldsTheRootAsItWasWhenBundledAndAnImageFromItBootsThat()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sim-rebundle-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, Scenario);
        try
        {
            await using var sim = await Sim.StartAsync(file);
            var id = sim.Id("store");
            Assert.Equal("ok", await sim.InstanceStatusAsync(id));

            var before = await RunAsync(sim, id, "EnaRemediate-RebundleInstance", new() { ["Bucket"] = ["stack-bundles"], ["KeyPrefix"] = ["before"] });
            Assert.Equal("Success", before.Status.Value);
            Assert.EndsWith("""{"status":"uploaded","manifest":"stack-bundles/before/image.manifest.xml","error":null}""", before.StandardOutputContent.TrimEnd());
            var install = await RunAsync(sim, id, "EnaRemediate-InstallDriver", new() { ["Sha256"] = [Sha] });
            Assert.Equal("Success", install.Status.Value);
            var after = await RunAsync(sim, id, "EnaRemediate-RebundleInstance", new() { ["Bucket"] = ["stack-bundles"], ["KeyPrefix"] = ["after"] });
            Assert.Equal("Success", after.Status.Value);

            var withoutDriver = await LaunchEnaOnAsync(sim, "stack-bundles/before/image.manifest.xml", "before-install");
            var withDriver = await LaunchEnaOnAsync(sim, "stack-bundles/after/image.manifest.xml", "after-install");
            sim.Advance(TimeSpan.FromMinutes(6));

            Assert.Equal("impaired", await sim.InstanceStatusAsync(withoutDriver));
            Assert.Equal("ok", await sim.InstanceStatusAsync(withDriver));
            Assert.Equal("ena", sim.World.Instance(withDriver).BoundNetworkDriver(sim.Clock.GetUtcNow()));
            // A bundle is in S3, not in EC2: it stays there after the image is deregistered, and can be registered again.
            var image = sim.World.Instance(withDriver).ImageId;
            await sim.Ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image });
            Assert.NotNull(await RegisterAsync(sim, "stack-bundles/after/image.manifest.xml", "after-install-again"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task TheDocumentRefusesBadParametersAndAnEbsRoot()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sim-rebundle-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, Scenario);
        try
        {
            await using var sim = await Sim.StartAsync(file);
            foreach (var bad in new[] { "Bad_Bucket", "b; reboot", "" })
            {
                await Assert.ThrowsAsync<InvalidParametersException>(() => sim.Ssm.SendCommandAsync(new SendCommandRequest
                {
                    DocumentName = "EnaRemediate-RebundleInstance", InstanceIds = [sim.Id("store")],
                    Parameters = new() { ["Bucket"] = [bad], ["KeyPrefix"] = ["p"] },
                }));
            }
            var ebs = await RunAsync(sim, sim.Id("ebs"), "EnaRemediate-RebundleInstance", new() { ["Bucket"] = ["stack-bundles"], ["KeyPrefix"] = ["p"] });
            Assert.Equal("Failed", ebs.Status.Value);
            Assert.Contains("ebs_root", ebs.StandardOutputContent);
            var missing = await Assert.ThrowsAsync<AmazonEC2Exception>(() => RegisterAsync(sim, "stack-bundles/p/image.manifest.xml", "never-uploaded"));
            Assert.Equal("InvalidManifest", missing.ErrorCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<GetCommandInvocationResponse> RunAsync(Sim sim, string instanceId, string document, Dictionary<string, List<string>> parameters)
    {
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = document, InstanceIds = [instanceId], Parameters = parameters });
        sim.Advance(TimeSpan.FromMinutes(16));
        return await sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = send.Command.CommandId, InstanceId = instanceId });
    }

    private static async Task<string> RegisterAsync(Sim sim, string manifest, string name) =>
        (await sim.Ec2.RegisterImageAsync(new RegisterImageRequest
        {
            Name = name, ImageLocation = manifest, EnaSupport = true, VirtualizationType = "hvm", Architecture = ArchitectureValues.X86_64,
        })).ImageId;

    private static async Task<string> LaunchEnaOnAsync(Sim sim, string manifest, string name)
    {
        var image = await RegisterAsync(sim, manifest, name);
        sim.Advance(TimeSpan.FromMinutes(3));
        var run = await sim.Ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = image, InstanceType = InstanceType.X116xlarge, MinCount = 1, MaxCount = 1 });
        return run.Reservation.Instances[0].InstanceId;
    }
}
