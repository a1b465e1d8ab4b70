using Amazon.DynamoDBv2;
using Amazon.Runtime;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Aws.Sweep;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// The AWS clients, store and engine one function uses, built once per process from its settings.
/// Lambda supplies credentials through the default chain; tests pass explicit ones.
/// </summary>
public sealed class FunctionServices
{
    public FunctionServices(FunctionSettings settings, TimeProvider time, AWSCredentials? credentials = null)
    {
        Settings = settings;
        Time = time;
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
        var dynamo = credentials is null ? new AmazonDynamoDBClient(dynamoConfig) : new AmazonDynamoDBClient(credentials, dynamoConfig);
        Store = new DynamoRemediationStore(dynamo, settings.TableName, settings.Retention);

        var connection = new AwsConnection(settings.Region, settings.EndpointUrl, credentials);
        Engine = EngineFactory.Create(connection, Store, settings.EngineOptions(), time);
        var (ec2, _) = EngineFactory.CreateClients(connection);
        ImpairedInstances = new ImpairedInstanceFinder(ec2, TriageRules.OptInTag);
    }

    public FunctionSettings Settings { get; }
    public TimeProvider Time { get; }
    public IRemediationStore Store { get; }
    public RemediationService Engine { get; }
    public ImpairedInstanceFinder ImpairedInstances { get; }
}
