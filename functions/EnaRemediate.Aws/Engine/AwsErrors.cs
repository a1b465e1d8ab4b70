using Amazon.Runtime;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Aws.Engine;

/// <summary>SDK exceptions in the Core's terms, with throttling recognised by its documented codes.</summary>
internal static class AwsErrors
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "TooManyRequestsException", "ThrottledException",
    };

    public static AwsCallException ToPortError(string action, AmazonServiceException e)
    {
        var code = e.ErrorCode ?? e.StatusCode.ToString();
        return new AwsCallException(action, code, e.Message, ThrottlingCodes.Contains(code));
    }
}
