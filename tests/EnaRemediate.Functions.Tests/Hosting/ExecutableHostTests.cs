using System.Diagnostics;
using System.Text.Json;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Hosting;

/// <summary>
/// The real executable (Handler: EnaRemediate.Functions), started as Lambda's dotnet runtime would
/// start it, serving invocations from a loopback fake Runtime API.
/// </summary>
public sealed class ExecutableHostTests
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "EnaRemediate.Functions.dll");

    private static Process Start(string? runtimeApi, string handler)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Executable);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("ENAREMEDIATE_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        if (runtimeApi is not null) start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["ENAREMEDIATE_HANDLER"] = handler;
        start.Environment["ENAREMEDIATE_TABLE"] = "records";
        // Nothing listens here: an invocation that called AWS would fail instead of answering.
        start.Environment["ENAREMEDIATE_ENDPOINT_URL"] = "http://127.0.0.1:9";
        return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
    }

    [Fact]
    public async Task The_executable_serves_intake_invocations_and_reports_bad_input_as_InvalidRequestException()
    {
        await using var api = new FakeRuntimeApi();
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeMilliseconds();
        api.Enqueue(new("ok-alarm", Fixtures.Event("eventbridge-back-to-ok.json"), deadline, TraceId: "Root=1-00000000-000000000000000000000001"));
        api.Enqueue(new("bad-id", """{"instanceIds":["i-nope"],"mode":"remediate"}""", deadline));
        using var process = Start(api.Address, "intake");
        try
        {
            var results = await api.WaitForAsync(2, TimeSpan.FromMinutes(2));
            var ignored = results.Single(r => r.RequestId == "ok-alarm");
            Assert.Equal("response", ignored.Kind);
            var answer = JsonDocument.Parse(ignored.Body).RootElement;
            Assert.Equal("ignored", answer.GetProperty("outcome").GetString());
            Assert.Contains("only ALARM", answer.GetProperty("reason").GetString());

            var rejected = results.Single(r => r.RequestId == "bad-id");
            Assert.Equal(("error", "InvalidRequestException"), (rejected.Kind, rejected.ErrorType));
            Assert.Contains("not an EC2 instance id", JsonDocument.Parse(rejected.Body).RootElement.GetProperty("errorMessage").GetString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var logLines = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(logLines, l => JsonDocument.Parse(l).RootElement.GetProperty("requestId").GetString() == "ok-alarm");
    }

    [Fact]
    public async Task A_handler_name_that_does_not_exist_is_an_init_error_and_the_process_exits()
    {
        await using var api = new FakeRuntimeApi();
        using var process = Start(api.Address, "repair-everything");
        var posted = Assert.Single(await api.WaitForAsync(1, TimeSpan.FromMinutes(2)));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(1, process.ExitCode);
        Assert.Equal(("init-error", "ConfigurationException"), (posted.Kind, posted.ErrorType));
        Assert.Contains("names no handler", JsonDocument.Parse(posted.Body).RootElement.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task Outside_Lambda_the_executable_says_so_and_exits_with_a_usage_code()
    {
        using var process = Start(null, "intake");
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(64, process.ExitCode);
        Assert.Contains("AWS_LAMBDA_RUNTIME_API", await process.StandardError.ReadToEndAsync());
    }
}
