using System.CommandLine;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using EnaRemediate.Aws.Dynamo;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Cli.Records;

/// <summary>
/// Where the CLI keeps remediation records: a SQLite file (default <c>~/.enaremediate/records.db</c>,
/// shared by every enaremediate process of the user) or <c>dynamodb:TABLE</c>, the deployment's
/// table, so that an operator's CLI and the deployed workflow see and lock the same records.
/// </summary>
internal sealed partial record StoreLocation(string? SqlitePath, string? DynamoTable)
{
    private const string DynamoPrefix = "dynamodb:";
    /// <summary>How long finished records the CLI writes to DynamoDB are kept (the template's default RecordRetentionDays).</summary>
    private static readonly TimeSpan DynamoRetention = TimeSpan.FromDays(90);

    public static string DefaultPath => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".enaremediate", "records.db");

    public static Option<string> CreateOption() => new("--store")
    {
        Description = "Where remediation records (and the per-instance locks) are kept: a SQLite file, or dynamodb:TABLE for the deployment's table (endpoint: AWS_ENDPOINT_URL_DYNAMODB).",
        DefaultValueFactory = _ => DefaultPath,
    };

    /// <summary>Reads the option's value; a bad table name is a usage error (<see cref="ArgumentException"/>).</summary>
    public static StoreLocation Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return new StoreLocation(DefaultPath, null);
        }
        if (!value.StartsWith(DynamoPrefix, StringComparison.Ordinal))
        {
            return new StoreLocation(value, null);
        }
        var table = value[DynamoPrefix.Length..];
        return TableName().IsMatch(table)
            ? new StoreLocation(null, table)
            : throw new ArgumentException($"--store {DynamoPrefix}TABLE: '{table}' is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)");
    }

    public override string ToString() => DynamoTable is { } table ? DynamoPrefix + table : SqlitePath!;

    /// <summary>Opens the store; a new default SQLite file first takes in the JSON records of older versions (said on <paramref name="log"/>).</summary>
    public IRemediationStore Open(string? region, TextWriter log)
    {
        if (DynamoTable is { } table)
        {
            return new DynamoRemediationStore(CreateDynamo(region), table, DynamoRetention);
        }
        // Only the default file stands for "this user's records" of an older version.
        var takeLegacy = !File.Exists(SqlitePath) && Path.GetFullPath(SqlitePath!) == DefaultPath;
        var store = new SqliteRemediationStore(SqlitePath!);
        if (takeLegacy)
        {
            LegacyJsonRecords.Import(store, log);
        }
        return store;
    }

    private static AmazonDynamoDBClient CreateDynamo(string? region)
    {
        var regionName = region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? AwsConnection.DefaultRegion;
        var config = new AmazonDynamoDBConfig();
        if (Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB") is { Length: > 0 } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = regionName;
            // A local endpoint (dynalite) does not check signatures: no credentials is not an error there.
            return new AmazonDynamoDBClient(Engine.Connection.LocalEndpointCredentials(), config);
        }
        config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(regionName);
        return new AmazonDynamoDBClient(config);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,255}$")]
    private static partial Regex TableName();
}
