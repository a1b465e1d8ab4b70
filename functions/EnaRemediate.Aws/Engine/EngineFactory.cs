using Amazon.EC2;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Aws.Engine;

/// <summary>
/// Where the engine's AWS calls go: a Region (real AWS, default credential chain) or an endpoint
/// such as the simulator (one URL for EC2 and SSM), optionally with explicit credentials.
/// </summary>
public sealed record AwsConnection(string? Region = null, string? EndpointUrl = null, AWSCredentials? Credentials = null)
{
    /// <summary>The region used when none is given and none is configured in the environment.</summary>
    public const string DefaultRegion = "us-east-1";
}

/// <summary>Builds the <see cref="RemediationService"/> on the AWS SDK: the one place the Core meets AWS types.</summary>
public static class EngineFactory
{
    /// <param name="rateBudget">the account's shared token buckets (the deployment's table); null keeps them in this process.</param>
    public static RemediationService Create(AwsConnection connection, IRemediationStore store, EngineOptions options, TimeProvider time, Core.Engine.Ports.IRateBudget? rateBudget = null)
    {
        var (ec2, ssm) = CreateClients(connection);
        return new RemediationService(new Ec2Adapter(ec2), new SsmAdapter(ssm), store, options, time, images: new ImageAdapter(ec2), nitro: new NitroAdapter(ec2),
            autoScaling: new AutoScaling.AutoScalingQueryClient(connection), rateBudget: rateBudget);
    }

    /// <summary>The connection's Region, else the environment's, else <see cref="AwsConnection.DefaultRegion"/>.</summary>
    public static string RegionOf(AwsConnection connection) =>
        connection.Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? AwsConnection.DefaultRegion;

    public static (IAmazonEC2 Ec2, IAmazonSimpleSystemsManagement Ssm) CreateClients(AwsConnection connection)
    {
        var region = RegionOf(connection);
        var ec2Config = new AmazonEC2Config();
        var ssmConfig = new AmazonSimpleSystemsManagementConfig();
        if (connection.EndpointUrl is { } url)
        {
            ec2Config.ServiceURL = url;
            ec2Config.AuthenticationRegion = region;
            ssmConfig.ServiceURL = url;
            ssmConfig.AuthenticationRegion = region;
        }
        else
        {
            ec2Config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
            ssmConfig.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }
        return connection.Credentials is { } credentials
            ? (new AmazonEC2Client(credentials, ec2Config), new AmazonSimpleSystemsManagementClient(credentials, ssmConfig))
            : (new AmazonEC2Client(ec2Config), new AmazonSimpleSystemsManagementClient(ssmConfig));
    }
}
