using System.Diagnostics;

namespace EnaRemediate.Simulator.Tests.Conformance;

/// <summary>
/// The AWS CLI and boto3 as independent clients of the simulator: they marshal requests their own
/// way (the CLI sends MaxResults=1000 by itself), so what they accept is not only what the .NET SDK
/// happens to send. Both are on every machine of this project (python with awscli and boto3); a
/// machine without them fails these tests with that message rather than skipping them.
/// </summary>
internal static class ExternalClient
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>`aws --endpoint-url … ARGS --output json` with throwaway credentials.</summary>
    public static Task<Result> AwsCliAsync(Sim sim, params string[] args) =>
        RunAsync(sim, "aws", ["--endpoint-url", sim.Host.Endpoint.ToString(), "--region", "us-east-1", "--output", "json", .. args]);

    /// <summary>A python3 script with boto3; the endpoint is in SIM_ENDPOINT, the clients come from <c>client(name)</c>.</summary>
    public static Task<Result> Boto3Async(Sim sim, string script) =>
        RunAsync(sim, "python3", ["-c", """
            import json, os, boto3, botocore
            def client(name):
                return boto3.client(name, endpoint_url=os.environ["SIM_ENDPOINT"], region_name="us-east-1",
                                    config=botocore.config.Config(retries={"max_attempts": 1}))
            def error_code(call):
                try:
                    call()
                    return None
                except botocore.exceptions.ClientError as e:
                    return e.response["Error"]["Code"]
            """ + "\n" + script]);

    private static async Task<Result> RunAsync(Sim sim, string file, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["SIM_ENDPOINT"] = sim.Host.Endpoint.ToString();
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_PAGER"] = "";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{file} is not installed: tools/setup.sh's machine has python3 with awscli and boto3", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return new Result(process.ExitCode, await stdout, await stderr);
        }
    }
}
