using System.Globalization;
using EnaRemediate.Functions.Intake;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// A function's configuration, read once from its environment variables (template.yaml sets them).
/// A missing or malformed value is a <see cref="ConfigurationException"/> at init, not a surprise at 3 a.m.
/// </summary>
public sealed record FunctionSettings
{
    public const string HandlerVariable = "ENAREMEDIATE_HANDLER";
    public const string TableVariable = "ENAREMEDIATE_TABLE";
    public const string DefaultModeVariable = "ENAREMEDIATE_DEFAULT_MODE";
    public const string OptInTagVariable = "ENAREMEDIATE_OPT_IN_TAG";
    public const string RetentionDaysVariable = "ENAREMEDIATE_RETENTION_DAYS";
    public const string DriverManifestVariable = "ENAREMEDIATE_DRIVER_MANIFEST";
    /// <summary>Only for the simulator and tests: one endpoint for EC2, SSM and DynamoDB clients.</summary>
    public const string EndpointVariable = "ENAREMEDIATE_ENDPOINT_URL";

    /// <summary>Every variable a function reads; the template test checks it sets no other.</summary>
    public static readonly IReadOnlySet<string> KnownVariables = new HashSet<string>
    {
        HandlerVariable, TableVariable, DefaultModeVariable, OptInTagVariable, RetentionDaysVariable, DriverManifestVariable, EndpointVariable,
    };

    public required string Handler { get; init; }
    public required string Region { get; init; }
    public string? TableName { get; init; }
    public RequestedMode DefaultMode { get; init; } = RequestedMode.Diagnose;
    public string OptInTagKey { get; init; } = "EnaRemediate:OptIn";
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(90);
    public string? DriverManifest { get; init; }
    public string? EndpointUrl { get; init; }

    public string RequireTable() => TableName ?? throw new ConfigurationException($"{TableVariable} is not set; the {Handler} handler needs the records table.");

    public static FunctionSettings From(Func<string, string?> variable)
    {
        var handler = variable(HandlerVariable);
        if (string.IsNullOrWhiteSpace(handler))
            throw new ConfigurationException($"{HandlerVariable} is not set; set it to one of: intake, advance, diagnose or sweep.");
        var region = variable("AWS_REGION") ?? variable("AWS_DEFAULT_REGION")
            ?? throw new ConfigurationException("AWS_REGION is not set (Lambda always sets it).");

        var settings = new FunctionSettings
        {
            Handler = handler.Trim(),
            Region = region,
            TableName = variable(TableVariable),
            DriverManifest = variable(DriverManifestVariable),
            EndpointUrl = variable(EndpointVariable),
        };
        if (variable(DefaultModeVariable) is { } mode)
            settings = settings with
            {
                DefaultMode = Enum.TryParse<RequestedMode>(mode, ignoreCase: true, out var m) && Enum.IsDefined(m)
                    ? m : throw new ConfigurationException($"{DefaultModeVariable} must be diagnose or remediate, not '{mode}'."),
            };
        if (variable(OptInTagVariable) is { Length: > 0 } tag) settings = settings with { OptInTagKey = tag };
        if (variable(RetentionDaysVariable) is { } days)
            settings = settings with
            {
                Retention = int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d > 0
                    ? TimeSpan.FromDays(d) : throw new ConfigurationException($"{RetentionDaysVariable} must be a whole number of days, not '{days}'."),
            };
        return settings;
    }
}

/// <summary>The function is configured wrongly; reported as an init error.</summary>
public sealed class ConfigurationException(string message) : Exception(message);

/// <summary>The event cannot be acted on; nothing was called. Step Functions sees errorType InvalidRequestException.</summary>
public sealed class InvalidRequestException(string message) : Exception(message);
