using System.CommandLine;
using System.Text.RegularExpressions;
using EnaRemediate.Cli.RegisterAmi;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate register-ami --image-id ID | --instance-id ID [--launch-replacement]`: an
/// ENA-disabled copy of an instance-store AMI (docs/instance-store.md). Never stops, reboots or
/// terminates anything. Exit 0 registered (or reused), 2 refused or failed, 64 bad usage.
/// </summary>
public static partial class RegisterAmiCommand
{
    public static Command Create()
    {
        var imageId = new Option<string?>("--image-id") { Description = "The instance-store AMI to copy with EnaSupport=false (no instance involved)." };
        var instanceId = new Option<string?>("--instance-id") { Description = "An instance-store-backed instance: copy its AMI and report the run-instances parameters of a replacement. The instance must be opted in (tag EnaRemediate:OptIn=true)." };
        var launch = new Option<bool>("--launch-replacement") { Description = "With --instance-id: also launch one like-for-like replacement from the new AMI. The original keeps running." };
        var region = new Option<string?>("--region") { Description = "AWS Region (default: AWS_REGION, then us-east-1)." };
        var endpoint = new Option<string?>("--endpoint-url") { Description = "EC2 endpoint, for example the simulator's http://127.0.0.1:PORT/." };
        var storeOption = Records.StoreLocation.CreateOption();
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");

        var command = new Command("register-ami", "Register an ENA-disabled copy of an instance-store AMI (safe to repeat: an earlier copy is found and returned).");
        foreach (var option in new Option[] { imageId, instanceId, launch, region, endpoint, storeOption, format })
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
            if (image is not null && parse.GetValue(launch))
            {
                return Task.FromResult(Usage("--launch-replacement needs --instance-id: a replacement copies an instance's settings"));
            }
            Aws.Engine.AwsConnection connection;
            Records.StoreLocation location;
            try
            {
                connection = Engine.Connection.For(parse.GetValue(region), parse.GetValue(endpoint));
                location = Records.StoreLocation.Parse(parse.GetValue(storeOption));
            }
            catch (ArgumentException e)
            {
                return Task.FromResult(Usage(e.Message));
            }
            var run = new RegisterAmiRun(connection, parse.GetValue(format) == "json", Console.Out, TimeProvider.System);
            return image is not null
                ? run.FromImageAsync(image, ct)
                : Engine.CommandErrors.Guard(() => run.FromInstanceAsync(instance!, parse.GetValue(launch), location.Open(parse.GetValue(region), Console.Error), ct));
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
