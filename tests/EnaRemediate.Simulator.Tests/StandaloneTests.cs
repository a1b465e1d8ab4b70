using System.Diagnostics;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace EnaRemediate.Simulator.Tests;

/// <summary>`dotnet run --project tools/EnaRemediate.Simulator -- …`: the process prints its endpoint and serves it.</summary>
public sealed class StandaloneTests
{
    [Fact]
    public async Task The_standalone_simulator_prints_an_endpoint_the_sdk_can_use()
    {
        using var process = Start("--scenario", "healthy", "--port", "0", "--speed", "10", "--seed", "3");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.NotNull(line);
            var endpoint = new Uri(line);
            Assert.Equal("127.0.0.1", endpoint.Host);
            using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("test", "test"),
                new AmazonEC2Config { ServiceURL = endpoint.ToString(), AuthenticationRegion = "us-east-1" });
            var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest());
            Assert.Equal(3, response.Reservations.Count);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("--scenario", "no-such-fleet")]
    [InlineData("--speed", "5000")]
    public async Task Bad_options_exit_with_the_usage_code_and_say_why(string option, string value)
    {
        using var process = Start(option, value);
        var error = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync();
        Assert.Equal(64, process.ExitCode);
        Assert.Contains("enaremediate-simulator:", error);
    }

    private static Process Start(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "EnaRemediate.Simulator.dll");
        // The same dotnet host that runs the tests, so PATH does not matter.
        var host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the simulator");
    }
}
