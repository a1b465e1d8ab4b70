using System.Text.Json;
using Amazon.Runtime;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Engine.Stores;

namespace EnaRemediate.Cli.Engine;

/// <summary>Turns the errors an engine command can meet into one clear line and an exit code, never a stack trace.</summary>
internal static class CommandErrors
{
    public static async Task<int> Guard(Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"enaremediate: {OperatorText.Of(e)}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"enaremediate: interrupted by {CliApp.Signals?.Received ?? "a stop request"} before anything was left half done; unfinished remediations resume on the next run.");
            return ExitCodes.Interrupted;
        }
        catch (RecordStoreException e)
        {
            Console.Error.WriteLine($"enaremediate: {e.Message}");
            return ExitCodes.RecordStore;
        }
        catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
        {
            Console.Error.WriteLine("enaremediate: the DynamoDB table named in --store does not exist in this region (check the name, --region and AWS_ENDPOINT_URL_DYNAMODB); nothing was changed.");
            return ExitCodes.RecordStore;
        }
        catch (JsonException e)
        {
            // Only stored records are parsed as JSON here (a DynamoDB item whose body is not a record).
            Console.Error.WriteLine($"enaremediate: a stored remediation record cannot be read ({e.Message}); nothing was changed.");
            return ExitCodes.RecordStore;
        }
        catch (Exception e) when (e is AwsCallException or AmazonClientException or AmazonServiceException or HttpRequestException or IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"enaremediate: {OperatorText.Of(e)}");
            return ExitCodes.Failure;
        }
    }
}

/// <summary>The CLI's JSON output style.</summary>
internal static class CliJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };
}
