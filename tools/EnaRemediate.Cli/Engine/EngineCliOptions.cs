using System.CommandLine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Cli.Engine;

/// <summary>The options `plan` and `remediate` share: which instances, where AWS is, how to print, and the driver to install.</summary>
internal sealed class EngineCliOptions
{
    public Option<string[]> InstanceIds { get; } = new("--instance-id")
    {
        Description = "Instance id to act on (repeat for many).",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
        Required = true,
    };
    public Option<string?> Region { get; } = new("--region") { Description = "AWS Region (default: AWS_REGION, else us-east-1)." };
    public Option<string?> EndpointUrl { get; } = new("--endpoint-url") { Description = "Send EC2 and SSM calls to this URL (e.g. a simulator)." };
    public Option<string> Format { get; } = new("--format") { Description = "Output format.", DefaultValueFactory = _ => "text" };
    public Option<string?> DriverSha256 { get; } = new("--driver-sha256") { Description = "sha256 of the ENA archive's tar stream the hosts verify (default: the pin in driver/ena-driver.json; needed only with another --driver-version)." };
    public Option<string?> DriverSource { get; } = new("--driver-source") { Description = "https:// or s3:// URL of the ENA source archive, e.g. the S3 copy driver/package-release.sh made (default: the pinned release on GitHub)." };
    public Option<string?> DriverVersion { get; } = new("--driver-version") { Description = "ENA driver version to install (default: the pinned release)." };
    public Option<bool> OptInAll { get; } = new("--opt-in-all") { Description = "Treat every instance as opted in (otherwise the opt-in tag is required)." };
    public Option<string> OptInTag { get; } = new("--opt-in-tag") { Description = "The tag whose value \"true\" opts an instance in.", DefaultValueFactory = _ => TriageRules.OptInTag };

    public Option<string?> Route { get; } = new("--route") { Description = "For types that require ENA: type-swap (a temporary Xen type) or offline-repair (a rescue instance); default: chosen from the facts." };
    public Option<string[]> RescueImages { get; } = new("--rescue-image")
    {
        Description = "Rescue AMI for offline repair, as ARCH=ami-… (x86_64, arm64); it must run the SSM agent. Repeat per architecture.",
        AllowMultipleArgumentsPerToken = true,
    };
    public Option<string?> RescueProfile { get; } = new("--rescue-instance-profile") { Description = "ARN of the instance profile rescue instances run with (SSM managed)." };
    public Option<int> MaxRescues { get; } = new("--max-rescues")
    {
        Description = $"Rescue instances offline repair may run at once (each serves 11 repairs in its zone and architecture); set it to what the account's vCPU quota allows. 1 to {NitroOptions.MaxRescuesLimit}.",
        DefaultValueFactory = _ => new NitroOptions().MaxConcurrentRescues,
    };
    public Option<bool> KeepSnapshot { get; } = new("--keep-snapshot") { Description = "Keep the root snapshot of an offline repair after it succeeds." };
    public Option<string> LaunchedBy { get; } = new("--launched-by")
    {
        Description = "Value of the EnaRemediate:LaunchedBy tag on the rescue instances, snapshots and volumes offline repair creates; only rescues with it are reused or terminated (a deployed stack uses its stack name).",
        DefaultValueFactory = _ => NitroOptions.CliStackName,
    };

    public EngineCliOptions()
    {
        Format.AcceptOnlyFromAmong("text", "json");
        Route.AcceptOnlyFromAmong("type-swap", "offline-repair");
        MaxRescues.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > NitroOptions.MaxRescuesLimit)
            {
                result.AddError($"--max-rescues must be from 1 to {NitroOptions.MaxRescuesLimit}");
            }
        });
    }

    /// <summary>The request's plan options: the route, when the operator chose one.</summary>
    public IReadOnlyDictionary<string, string> PlanOptions(ParseResult parse, bool asgStandby = false) =>
        RemediationService.OperatorOptions(parse.GetValue(Route), asgStandby);

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { InstanceIds, Region, EndpointUrl, Format, DriverSha256, DriverSource, DriverVersion, OptInAll, OptInTag, Route, RescueImages, RescueProfile, MaxRescues, KeepSnapshot, LaunchedBy })
        {
            command.Options.Add(option);
        }
    }

    public EngineOptions EngineOptions(ParseResult parse)
    {
        var rescue = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in parse.GetValue(RescueImages) ?? [])
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || parts[0] is not ("x86_64" or "arm64") || !parts[1].StartsWith("ami-", StringComparison.Ordinal))
            {
                throw new ArgumentException($"--rescue-image '{pair}' is not ARCH=ami-… (x86_64 or arm64)");
            }
            rescue[parts[0]] = parts[1];
        }
        var nitro = new NitroOptions { RescueImages = rescue, RescueInstanceProfileArn = parse.GetValue(RescueProfile), KeepSnapshot = parse.GetValue(KeepSnapshot),
            MaxConcurrentRescues = parse.GetValue(MaxRescues), StackName = parse.GetValue(LaunchedBy) ?? NitroOptions.CliStackName };
        var options = new EngineOptions { OptInAll = parse.GetValue(OptInAll), OptInTagKey = parse.GetValue(OptInTag) ?? TriageRules.OptInTag, Nitro = nitro };
        return options.WithDriver(parse.GetValue(DriverSha256), parse.GetValue(DriverSource), parse.GetValue(DriverVersion));
    }
}
