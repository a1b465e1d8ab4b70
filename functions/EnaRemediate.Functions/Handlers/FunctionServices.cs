using Amazon.DynamoDBv2;
using Amazon.Runtime;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Aws.Sweep;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// The AWS clients, store and engine one function uses, built once per process from its settings.
/// Lambda supplies credentials through the default chain; tests pass explicit ones, and may pass
/// a DynamoDB client of their own (dynalite) when EC2 and SSM are the simulator.
/// </summary>
public sealed class FunctionServices
{
    public FunctionServices(FunctionSettings settings, TimeProvider time, AWSCredentials? credentials = null, IAmazonDynamoDB? dynamo = null)
    {
        Settings = settings;
        Time = time;
        Dynamo = dynamo ?? CreateDynamo(settings, credentials);
        Store = new DynamoRemediationStore(Dynamo, settings.TableName, settings.Retention);

        var connection = Connection = new AwsConnection(settings.Region, settings.EndpointUrl, credentials);
        // Every Lambda environment of every execution takes EC2's per-account tokens from the table, not from its own process.
        Engine = EngineFactory.Create(connection, Store, settings.EngineOptions(), time, new DynamoRateBudget(Dynamo, settings.TableName, time));
        var (ec2, _) = EngineFactory.CreateClients(connection);
        ImpairedInstances = new ImpairedInstanceFinder(ec2, settings.OptInTagKey);
    }

    private static AmazonDynamoDBClient CreateDynamo(FunctionSettings settings, AWSCredentials? credentials)
    {
        var dynamoConfig = new AmazonDynamoDBConfig();
        if (settings.EndpointUrl is { } url)
        {
            dynamoConfig.ServiceURL = url;
            dynamoConfig.AuthenticationRegion = settings.Region;
        }
        else
        {
            dynamoConfig.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(settings.Region);
        }
        return credentials is null ? new AmazonDynamoDBClient(dynamoConfig) : new AmazonDynamoDBClient(credentials, dynamoConfig);
    }

    public FunctionSettings Settings { get; }
    public AwsConnection Connection { get; }
    public IAmazonDynamoDB Dynamo { get; }
    public TimeProvider Time { get; }
    public IRemediationStore Store { get; }
    public RemediationService Engine { get; }
    public ImpairedInstanceFinder ImpairedInstances { get; }
}
