using System.Globalization;
using System.Text.RegularExpressions;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// A function's configuration, read once from its environment variables (template.yaml sets them).
/// A missing or malformed value is a <see cref="ConfigurationException"/> at init, not a surprise at 3 a.m.
/// </summary>
public sealed partial record FunctionSettings
{
    public const string HandlerVariable = "ENAREMEDIATE_HANDLER";
    public const string TableVariable = "ENAREMEDIATE_TABLE";
    public const string DefaultModeVariable = "ENAREMEDIATE_DEFAULT_MODE";
    public const string OptInTagVariable = "ENAREMEDIATE_OPT_IN_TAG";
    public const string RetentionDaysVariable = "ENAREMEDIATE_RETENTION_DAYS";
    public const string DriverArchiveVariable = "ENAREMEDIATE_DRIVER_ARCHIVE";
    public const string DriverSha256Variable = "ENAREMEDIATE_DRIVER_SHA256";
    /// <summary>Offline repair: the stack's name (the EnaRemediate:LaunchedBy tag IAM scopes by), rescue AMIs, profile, snapshot retention.</summary>
    public const string StackNameVariable = "ENAREMEDIATE_STACK_NAME";
    public const string RescueImageX86Variable = "ENAREMEDIATE_RESCUE_IMAGE_X86_64";
    public const string RescueImageArm64Variable = "ENAREMEDIATE_RESCUE_IMAGE_ARM64";
    public const string RescueProfileVariable = "ENAREMEDIATE_RESCUE_INSTANCE_PROFILE";
    public const string KeepSnapshotVariable = "ENAREMEDIATE_KEEP_SNAPSHOT";
    /// <summary>How many rescue instances may run at once (NitroOptions.MaxConcurrentRescues): what the account's vCPU quota allows.</summary>
    public const string MaxRescuesVariable = "ENAREMEDIATE_MAX_RESCUES";
    /// <summary>The inventory's auto-fix (docs/inventory.md): "true" sends the driver install to the at-risk opted-in instances.</summary>
    public const string InventoryAutoFixVariable = "ENAREMEDIATE_INVENTORY_AUTO_FIX";
    /// <summary>The S3 bucket the commands the inventory sends write their full output to (optional).</summary>
    public const string OutputBucketVariable = "ENAREMEDIATE_OUTPUT_BUCKET";
    /// <summary>Only for the simulator and tests: one endpoint for the EC2, SSM and DynamoDB clients.</summary>
    public const string EndpointVariable = "ENAREMEDIATE_ENDPOINT_URL";

    /// <summary>Every variable a function reads; the template test checks it sets no other.</summary>
    public static readonly IReadOnlySet<string> KnownVariables = new HashSet<string>
    {
        HandlerVariable, TableVariable, DefaultModeVariable, OptInTagVariable, RetentionDaysVariable,
        DriverArchiveVariable, DriverSha256Variable, EndpointVariable,
        StackNameVariable, RescueImageX86Variable, RescueImageArm64Variable, RescueProfileVariable, KeepSnapshotVariable, MaxRescuesVariable,
        InventoryAutoFixVariable, OutputBucketVariable,
    };

    public required string Handler { get; init; }
    public required string Region { get; init; }
    public required string TableName { get; init; }
    public RemediationMode DefaultMode { get; init; } = RemediationMode.Diagnose;
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(90);
    /// <summary>Overrides of the install document's SourceArchive and Sha256 (default: the release driver/ena-driver.json pins).</summary>
    public string? DriverArchive { get; init; }
    public string? DriverSha256 { get; init; }
    public string? EndpointUrl { get; init; }
    /// <summary>The opt-in tag key; the template passes the same key to its IAM conditions.</summary>
    public string OptInTagKey { get; init; } = TriageRules.OptInTag;
    /// <summary>Offline repair's settings from the environment (the rescue AMIs, profile, stack name, snapshot retention).</summary>
    public NitroOptions Nitro { get; init; } = new();
    public bool InventoryAutoFix { get; init; }
    public Core.Readiness.CommandOutputBucket? OutputBucket { get; init; }

    public static FunctionSettings From(Func<string, string?> variable)
    {
        var handler = NonEmpty(variable(HandlerVariable))
            ?? throw new ConfigurationException($"{HandlerVariable} is not set; set it to one of: {string.Join(", ", HandlerCatalog.Names)}.");
        var region = NonEmpty(variable("AWS_REGION")) ?? NonEmpty(variable("AWS_DEFAULT_REGION"))
            ?? throw new ConfigurationException("AWS_REGION is not set (Lambda always sets it).");
        var table = NonEmpty(variable(TableVariable))
            ?? throw new ConfigurationException($"{TableVariable} is not set; it names the DynamoDB table of remediation records.");

        // The key also lands in IAM condition keys (ec2:ResourceTag/KEY), so only EC2's tag-key characters are accepted.
        var optInTag = NonEmpty(variable(OptInTagVariable)) ?? TriageRules.OptInTag;
        if (!TagKeyPattern().IsMatch(optInTag) || optInTag.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException($"{OptInTagVariable} '{optInTag}' is not a usable EC2 tag key (1-128 letters, digits, spaces and _ . : / = + - @; not starting with aws:).");

        var settings = new FunctionSettings
        {
            Handler = handler,
            Region = region,
            TableName = table,
            DriverArchive = NonEmpty(variable(DriverArchiveVariable)),
            DriverSha256 = NonEmpty(variable(DriverSha256Variable)),
            EndpointUrl = NonEmpty(variable(EndpointVariable)),
            OptInTagKey = optInTag,
            Nitro = NitroFrom(variable),
        };
        if (NonEmpty(variable(DefaultModeVariable)) is { } mode)
            settings = settings with
            {
                DefaultMode = mode.ToLowerInvariant() switch
                {
                    "diagnose" => RemediationMode.Diagnose,
                    "remediate" => RemediationMode.Remediate,
                    _ => throw new ConfigurationException($"{DefaultModeVariable} must be diagnose or remediate, not '{mode}'."),
                },
            };
        if (NonEmpty(variable(RetentionDaysVariable)) is { } days)
            settings = settings with
            {
                Retention = int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d > 0
                    ? TimeSpan.FromDays(d) : throw new ConfigurationException($"{RetentionDaysVariable} must be a whole number of days, not '{days}'."),
            };
        if (settings.DriverSha256 is { } sha && !Sha256Pattern().IsMatch(sha))
            throw new ConfigurationException($"{DriverSha256Variable} must be 64 hex digits.");
        settings = settings with
        {
            InventoryAutoFix = NonEmpty(variable(InventoryAutoFixVariable))?.ToLowerInvariant() switch
            {
                null or "false" => false,
                "true" => true,
                var other => throw new ConfigurationException($"{InventoryAutoFixVariable} must be true or false, not '{other}'."),
            },
        };
        try
        {
            return settings with { OutputBucket = Core.Readiness.CommandOutputBucket.Create(NonEmpty(variable(OutputBucketVariable)), null) };
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"{OutputBucketVariable}: {e.Message}");
        }
    }

    /// <summary>
    /// The engine's options with this deployment's driver archive (typically the S3 copy of the pinned
    /// release) and digest; both default to the pin in driver/ena-driver.json.
    /// </summary>
    public EngineOptions EngineOptions() =>
        new EngineOptions { OptInTagKey = OptInTagKey, Nitro = Nitro }.WithDriver(DriverSha256, DriverArchive);

    private static NitroOptions NitroFrom(Func<string, string?> variable)
    {
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (architecture, name) in new[] { ("x86_64", RescueImageX86Variable), ("arm64", RescueImageArm64Variable) })
        {
            if (NonEmpty(variable(name)) is not { } image) continue;
            images[architecture] = ImagePattern().IsMatch(image) ? image : throw new ConfigurationException($"{name} must be an AMI id (ami-…), not '{image}'.");
        }
        var profile = NonEmpty(variable(RescueProfileVariable));
        if (profile is not null && !ProfilePattern().IsMatch(profile))
            throw new ConfigurationException($"{RescueProfileVariable} must be an instance profile ARN, not '{profile}'.");
        var stack = NonEmpty(variable(StackNameVariable)) ?? NitroOptions.CliStackName;
        if (!StackNamePattern().IsMatch(stack))
            throw new ConfigurationException($"{StackNameVariable} '{stack}' is not a CloudFormation stack name.");
        var keep = NonEmpty(variable(KeepSnapshotVariable))?.ToLowerInvariant() switch
        {
            null or "false" => false,
            "true" => true,
            var other => throw new ConfigurationException($"{KeepSnapshotVariable} must be true or false, not '{other}'."),
        };
        var nitro = new NitroOptions { StackName = stack, RescueImages = images, RescueInstanceProfileArn = profile, KeepSnapshot = keep };
        return NonEmpty(variable(MaxRescuesVariable)) switch
        {
            null => nitro,
            var text when int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var max) && max is >= 1 and <= NitroOptions.MaxRescuesLimit =>
                nitro with { MaxConcurrentRescues = max },
            var other => throw new ConfigurationException($"{MaxRescuesVariable} must be a whole number from 1 to {NitroOptions.MaxRescuesLimit}, not '{other}'."),
        };
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^ami-[0-9a-f]{8,17}$")]
    private static partial Regex ImagePattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::\d{12}:instance-profile/[\w+=,.@/-]+$")]
    private static partial Regex ProfilePattern();

    // CloudFormation: a letter, then letters, digits and hyphens, at most 128.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9-]{0,127}$")]
    private static partial Regex StackNamePattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex(@"^[\p{L}\p{N} _.:/=+\-@]{1,128}$")]
    private static partial Regex TagKeyPattern();
}

/// <summary>The function is configured wrongly; reported as an init error.</summary>
public sealed class ConfigurationException(string message) : Exception(message);

/// <summary>The event cannot be acted on; nothing was called. Step Functions sees errorType InvalidRequestException.</summary>
public sealed class InvalidRequestException(string message) : Exception(message);
