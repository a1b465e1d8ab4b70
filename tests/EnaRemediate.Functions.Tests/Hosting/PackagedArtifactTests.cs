using System.Diagnostics;
using System.Text.Json;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Hosting;

/// <summary>
/// tools/package-lambda.sh builds what sam build uploads; the artifact is for Linux on dotnet10 and
/// serves an invocation when started the way Lambda's managed runtime starts it.
/// </summary>
public sealed class PackagedArtifactTests
{
    [Fact]
    public async Task The_packaged_artifact_targets_linux_on_net10_and_serves_an_invocation()
    {
        var output = Path.Combine(Path.GetTempPath(), $"enaremediate-lambda-{Guid.NewGuid():N}");
        try
        {
            var (exit, stdout, stderr) = await ChildProcess.RunAsync("bash",
                [Path.Combine(RepoPaths.Root, "tools", "package-lambda.sh"), "--arch", "x86_64", output], RepoPaths.Root, TimeSpan.FromMinutes(10));
            Assert.True(exit == 0, stdout + stderr);

            var runtimeConfig = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "EnaRemediate.Functions.runtimeconfig.json"))).RootElement;
            var framework = runtimeConfig.GetProperty("runtimeOptions").GetProperty("framework");
            Assert.Equal("Microsoft.NETCore.App", framework.GetProperty("name").GetString());
            Assert.StartsWith("10.", framework.GetProperty("version").GetString());
            var deps = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "EnaRemediate.Functions.deps.json"))).RootElement;
            Assert.EndsWith("/linux-x64", deps.GetProperty("runtimeTarget").GetProperty("name").GetString());

            await using var api = new FakeRuntimeApi();
            api.Enqueue(new("packaged", Fixtures.Event("eventbridge-cpu-alarm.json"), DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeMilliseconds()));
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = output };
            start.ArgumentList.Add(Path.Combine(output, "EnaRemediate.Functions.dll"));
            start.Environment["AWS_LAMBDA_RUNTIME_API"] = api.Address;
            // What Lambda puts in every function's environment: its Region and the execution role's credentials.
            start.Environment["AWS_REGION"] = "us-east-1";
            start.Environment["AWS_ACCESS_KEY_ID"] = "ASIATESTTESTTESTTEST";
            start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
            start.Environment["AWS_SESSION_TOKEN"] = "test";
            start.Environment["ENAREMEDIATE_HANDLER"] = "intake";
            start.Environment["ENAREMEDIATE_TABLE"] = "records";
            start.Environment["ENAREMEDIATE_ENDPOINT_URL"] = "http://127.0.0.1:9";
            using var process = Process.Start(start)!;
            try
            {
                var answer = Assert.Single(await api.WaitForAsync(1, TimeSpan.FromMinutes(2)));
                Assert.True(answer.Kind == "response", answer.Body);
                Assert.Equal("ignored", JsonDocument.Parse(answer.Body).RootElement.GetProperty("outcome").GetString());
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }
}
