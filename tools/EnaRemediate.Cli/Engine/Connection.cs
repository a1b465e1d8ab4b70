using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using EnaRemediate.Aws.Engine;

namespace EnaRemediate.Cli.Engine;

/// <summary>Where the CLI's AWS calls go, and with which credentials.</summary>
internal static class Connection
{
    /// <summary>
    /// Real AWS uses the default credential chain. An --endpoint-url (a simulator, a test double)
    /// also does, but when the chain finds nothing the calls go unsigned instead of failing: local
    /// endpoints do not check signatures, and real ones will answer with a clear auth error.
    /// </summary>
    public static AwsConnection For(string? region, string? endpointUrl)
    {
        if (endpointUrl is null)
        {
            return new AwsConnection(region);
        }
        if (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"--endpoint-url '{endpointUrl}' is not an http(s) URL");
        }
        return new AwsConnection(region, endpointUrl, LocalEndpointCredentials());
    }

    /// <summary>The default chain's credentials, or none (unsigned calls) for a local endpoint when the chain finds nothing.</summary>
    public static AWSCredentials LocalEndpointCredentials()
    {
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException)
        {
            return new AnonymousAWSCredentials();
        }
    }
}
