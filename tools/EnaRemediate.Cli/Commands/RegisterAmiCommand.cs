using System.CommandLine;
using System.Text.RegularExpressions;
using EnaRemediate.Cli.RegisterAmi;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate register-ami --image-id ID | --instance-id ID [--launch-replacement
/// [--then-remediate --bundle-bucket BUCKET]] [--dry-run]`: an ENA-disabled copy of an
/// instance-store AMI, and with --then-remediate the replacement taken on to the driver and an
/// ENA-enabled image (docs/instance-store.md). Never stops, reboots or terminates anything.
/// Exit 0 registered (or reused) or dry run, 2 refused or failed, 64 bad usage.
/// </summary>
public static partial class RegisterAmiCommand
{
    public static Command Create()
    {
        var imageId = new Option<string?>("--image-id") { Description = "The instance-store AMI to copy with EnaSupport=false (no instance involved)." };
        var instanceId = new Option<string?>("--instance-id") { Description = "An instance-store-backed instance: copy its AMI and report the run-instances parameters of a replacement. The instance must be opted in (tag EnaRemediate:OptIn=true)." };
        var launch = new Option<bool>("--launch-replacement") { Description = "With --instance-id: also launch one like-for-like replacement from the new AMI. The original keeps running." };
        var thenRemediate = new Option<bool>("--then-remediate") { Description = "With --launch-replacement: install and validate the ENA driver on the replacement, re-bundle it into --bundle-bucket, register that bundle with ENA on and launch an ENA-enabled replacement (validated). Nothing is stopped or terminated." };
        var bundleBucket = new Option<string?>("--bundle-bucket") { Description = "With --then-remediate: the S3 bucket of this account (the stack's) the fixed replacement is bundled into." };
        var dryRun = new Option<bool>("--dry-run") { Description = "With --instance-id: list the calls and change nothing." };
        var region = new Option<string?>("--region") { Description = "AWS Region (default: AWS_REGION, then us-east-1)." };
        var endpoint = new Option<string?>("--endpoint-url") { Description = "EC2 endpoint, for example the simulator's http://127.0.0.1:PORT/." };
        var storeOption = Records.StoreLocation.CreateOption();
        var timeScale = Engine.EngineClock.CreateOption();
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");

        var command = new Command("register-ami", "Register an ENA-disabled copy of an instance-store AMI (safe to repeat: an earlier copy is found and returned).");
        foreach (var option in new Option[] { imageId, instanceId, launch, thenRemediate, bundleBucket, dryRun, region, endpoint, storeOption, timeScale, format })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, ct) =>
        {
            CliApp.CommandStopsByItself();
            var image = parse.GetValue(imageId);
            var instance = parse.GetValue(instanceId);
            if ((image is null) == (instance is null))
            {
                return Task.FromResult(Usage("give exactly one of --image-id or --instance-id"));
            }
            if (image is not null && !ImageIdShape().IsMatch(image))
            {
                return Task.FromResult(Usage("--image-id must look like ami-0123456789abcdef0"));
            }
            if (instance is not null && !InstanceIdShape().IsMatch(instance))
            {
                return Task.FromResult(Usage("--instance-id must look like i-0123456789abcdef0"));
            }
            if (image is not null && (parse.GetValue(launch) || parse.GetValue(thenRemediate) || parse.GetValue(dryRun)))
            {
                return Task.FromResult(Usage("--launch-replacement, --then-remediate and --dry-run need --instance-id: a replacement copies an instance's settings"));
            }
            var bucket = parse.GetValue(bundleBucket);
            if (Core.Plans.ReregisterAmi.ReregisterAmiRequests.ThenRemediateProblem(parse.GetValue(launch), parse.GetValue(thenRemediate), bucket) is { } problem)
            {
                return Task.FromResult(Usage(problem.Replace("thenRemediate", "--then-remediate", StringComparison.Ordinal)
                    .Replace("launchReplacement", "--launch-replacement", StringComparison.Ordinal).Replace("(bundleBucket)", "(--bundle-bucket)", StringComparison.Ordinal)));
            }
            Aws.Engine.AwsConnection connection;
            Records.StoreLocation location;
            TimeProvider clock;
            try
            {
                connection = Engine.Connection.For(parse.GetValue(region), parse.GetValue(endpoint));
                location = Records.StoreLocation.Parse(parse.GetValue(storeOption));
                clock = Engine.EngineClock.For(parse.GetValue(timeScale), parse.GetValue(endpoint));
            }
            catch (ArgumentException e)
            {
                return Task.FromResult(Usage(e.Message));
            }
            var run = new RegisterAmiRun(connection, parse.GetValue(format) == "json", Console.Out, clock);
            return image is not null
                ? run.FromImageAsync(image, ct)
                : Engine.CommandErrors.Guard(() => run.FromInstanceAsync(instance!, new(parse.GetValue(launch), parse.GetValue(thenRemediate) ? bucket : null, parse.GetValue(dryRun)),
                    location.Open(parse.GetValue(region), Console.Error), ct));
        });
        return command;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"enaremediate register-ami: {message}");
        return ExitCodes.Usage;
    }

    [GeneratedRegex("^ami-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex ImageIdShape();

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstanceIdShape();
}
