using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SimpleSystemsManagement;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Aws.Inventory;

/// <summary><see cref="ICommandOutputPort"/> on the AWS SDK v4: SendCommand with an output bucket, S3 GetObject of the full output.</summary>
public sealed class S3CommandOutput(IAmazonSimpleSystemsManagement ssm, IAmazonS3 s3) : ICommandOutputPort
{
    public Task<string> SendCommandAsync(string documentName, IReadOnlyList<string> instanceIds, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters,
        string comment, CommandOutputBucket output, CancellationToken cancellationToken) =>
        new SsmAdapter(ssm).SendCommandAsync(documentName, instanceIds, parameters, comment, output.BucketName, output.KeyPrefix, cancellationToken);

    public async Task<string?> ReadTextAsync(string bucketName, string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucketName, Key = key }, cancellationToken);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null; // NoSuchKey or NoSuchBucket: the agent did not (or could not) write it
        }
        catch (AmazonS3Exception e)
        {
            throw AwsErrors.ToPortError("GetObject", e);
        }
    }

    /// <summary>An S3 client for the same place as the engine's clients (a Region, or one endpoint such as the simulator, path-style).</summary>
    public static IAmazonS3 CreateClient(AwsConnection connection)
    {
        var region = EngineFactory.RegionOf(connection);
        var config = new AmazonS3Config();
        if (connection.EndpointUrl is { } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = region;
            config.ForcePathStyle = true;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }
        return connection.Credentials is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }
}
