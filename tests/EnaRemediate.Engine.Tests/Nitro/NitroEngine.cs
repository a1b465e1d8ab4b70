using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Engine.Tests.Simulated;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Engine.Tests.Nitro;

/// <summary>The engine with its Nitro port and the scenario's rescue AMIs, on the simulator, optionally with faults in every port.</summary>
internal static class NitroEngine
{
    public static EngineOptions Options(SimulatedWorld world, bool keepSnapshot = false) => SimulatedEngine.Options with
    {
        Nitro = new NitroOptions
        {
            RescueImages = world.AllImages.Where(i => i.Name.StartsWith("enaremediate-rescue-", StringComparison.Ordinal)).ToDictionary(i => i.Architecture, i => i.ImageId),
            KeepSnapshot = keepSnapshot,
        },
    };

    public static RemediationService Service(SimulatedEngine sim, FaultSchedule? faults = null, bool keepSnapshot = false)
    {
        var (ec2Client, ssmClient) = EngineFactory.CreateClients(new AwsConnection("us-east-1", sim.Host.Endpoint.ToString(), new BasicAWSCredentials("test", "test")));
        IEc2Port ec2 = new Ec2Adapter(ec2Client);
        ISsmPort ssm = new SsmAdapter(ssmClient);
        INitroPort nitro = new NitroAdapter(ec2Client);
        if (faults is not null)
        {
            ec2 = FaultyPort<IEc2Port>.Wrap(ec2, faults);
            ssm = FaultyPort<ISsmPort>.Wrap(ssm, faults);
            nitro = FaultyPort<INitroPort>.Wrap(nitro, faults);
        }
        return new RemediationService(ec2, ssm, sim.Store, Options(sim.World, keepSnapshot), sim.Clock, nitro: nitro);
    }
}
