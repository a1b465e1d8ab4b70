using System.Text.Json;
using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Hosting;

/// <summary>Our Runtime API loop over real HTTP against a loopback fake of the Runtime API.</summary>
public sealed class LambdaRuntimeApiLoopTests
{
    private sealed class DelegateHandler(Func<LambdaInvocation, CancellationToken, Task<string>> handle) : IFunctionHandler
    {
        public Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken) => handle(invocation, cancellationToken);
    }

    private sealed class ThrottledException(string message) : Exception(message);

    private static long InAMinute => DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds();

    private static async Task<(IReadOnlyList<FakeRuntimeApi.Posted> Results, StringWriter Log)> RunAsync(
        FakeRuntimeApi api, int expected, Func<LambdaInvocation, CancellationToken, Task<string>> handle)
    {
        var log = new StringWriter();
        var loop = new LambdaRuntimeApiLoop(api.Address, new StructuredLog(log, TimeProvider.System), TimeProvider.System);
        using var cts = new CancellationTokenSource();
        var running = loop.RunAsync(new DelegateHandler(handle), cts.Token);
        var results = await api.WaitForAsync(expected);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        return (results, log);
    }

    [Fact]
    public async Task A_successful_invocation_posts_the_handler_result_to_its_request_id()
    {
        await using var api = new FakeRuntimeApi();
        api.Enqueue(new("req-1", """{"instanceIds":["i-0123456789abcdef0"]}""", InAMinute));
        var (results, _) = await RunAsync(api, 1, (inv, _) => Task.FromResult($$"""{"echo":{{inv.Payload}}}"""));

        var posted = Assert.Single(results);
        Assert.Equal(("response", "req-1"), (posted.Kind, posted.RequestId));
        Assert.Equal("i-0123456789abcdef0", JsonDocument.Parse(posted.Body).RootElement.GetProperty("echo").GetProperty("instanceIds")[0].GetString());
    }

    [Fact]
    public async Task A_handler_exception_is_reported_with_its_type_as_errorType_and_the_loop_goes_on()
    {
        await using var api = new FakeRuntimeApi();
        api.Enqueue(new("bad", "{}", InAMinute));
        api.Enqueue(new("good", "{}", InAMinute));
        var (results, log) = await RunAsync(api, 2, (inv, _) =>
            inv.RequestId == "bad" ? throw new ThrottledException("EC2 said slow down") : Task.FromResult("\"ok\""));

        var error = results.Single(r => r.Kind == "error");
        Assert.Equal("bad", error.RequestId);
        Assert.Equal("ThrottledException", error.ErrorType);
        var body = JsonDocument.Parse(error.Body).RootElement;
        Assert.Equal("EC2 said slow down", body.GetProperty("errorMessage").GetString());
        Assert.Equal("ThrottledException", body.GetProperty("errorType").GetString());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("stackTrace").ValueKind);
        Assert.NotEqual(0, body.GetProperty("stackTrace").GetArrayLength());
        Assert.Contains(results, r => r is { Kind: "response", RequestId: "good" });

        var logged = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(logged, l => l.GetProperty("requestId").GetString() == "bad" && l.GetProperty("level").GetString() == "ERROR");
    }

    [Fact]
    public async Task Deadline_arn_and_trace_id_reach_the_handler_and_the_trace_id_is_exported()
    {
        await using var api = new FakeRuntimeApi();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        api.Enqueue(new("req-t", "{}", deadline.ToUnixTimeMilliseconds(), "arn:aws:lambda:eu-west-1:123456789012:function:advance", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"));
        string? exported = null;
        LambdaInvocation? seen = null;
        await RunAsync(api, 1, (inv, ct) =>
        {
            seen = inv;
            exported = Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID");
            return Task.FromResult(ct.IsCancellationRequested ? "\"cancelled\"" : "\"running\"");
        });

        Assert.Equal(deadline.ToUnixTimeMilliseconds(), seen!.Deadline.ToUnixTimeMilliseconds());
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:advance", seen.InvokedFunctionArn);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", exported);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", seen.TraceId);
    }

    [Fact]
    public async Task A_deadline_already_past_cancels_the_handlers_token()
    {
        await using var api = new FakeRuntimeApi();
        api.Enqueue(new("late", "{}", DateTimeOffset.UtcNow.AddMilliseconds(500).ToUnixTimeMilliseconds()));
        var (results, _) = await RunAsync(api, 1, async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return "\"finished\"";
        });
        var error = Assert.Single(results);
        Assert.Equal("error", error.Kind);
        Assert.Equal("TaskCanceledException", error.ErrorType);
    }

    [Fact]
    public async Task Large_payloads_pass_both_ways_and_an_oversized_response_becomes_an_error()
    {
        await using var api = new FakeRuntimeApi { MaxResponseBytes = 3 * 1024 * 1024 };
        var big = new string('x', 2 * 1024 * 1024);
        api.Enqueue(new("big", JsonSerializer.Serialize(new { blob = big }), InAMinute));
        api.Enqueue(new("huge", "{}", InAMinute));
        var (results, _) = await RunAsync(api, 2, (inv, _) => Task.FromResult(inv.RequestId == "big"
            ? JsonSerializer.Serialize(new { length = JsonDocument.Parse(inv.Payload).RootElement.GetProperty("blob").GetString()!.Length, blob = big })
            : JsonSerializer.Serialize(new { blob = big + big })));

        var ok = results.Single(r => r.RequestId == "big");
        Assert.Equal("response", ok.Kind);
        Assert.Equal(big.Length, JsonDocument.Parse(ok.Body).RootElement.GetProperty("length").GetInt32());
        var tooLarge = results.Single(r => r.RequestId == "huge");
        Assert.Equal(("error", "ResponseTooLargeException"), (tooLarge.Kind, tooLarge.ErrorType));
    }

    [Fact]
    public async Task Many_invocations_are_served_in_order_by_one_loop()
    {
        await using var api = new FakeRuntimeApi();
        const int count = 200;
        for (var i = 0; i < count; i++) api.Enqueue(new($"req-{i}", $$"""{"n":{{i}}}""", InAMinute));
        var handled = 0;
        var (results, _) = await RunAsync(api, count, (inv, _) =>
        {
            Interlocked.Increment(ref handled);
            return Task.FromResult(inv.Payload);
        });
        Assert.Equal(count, handled);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"req-{i}"), results.Select(r => r.RequestId));
        Assert.All(results, r => Assert.Equal($"req-{JsonDocument.Parse(r.Body).RootElement.GetProperty("n").GetInt32()}", r.RequestId));
    }

    [Fact]
    public async Task An_init_failure_is_posted_to_init_error_and_nothing_is_served()
    {
        await using var api = new FakeRuntimeApi();
        api.Enqueue(new("never", "{}", InAMinute));
        var loop = new LambdaRuntimeApiLoop(api.Address, new StructuredLog(TextWriter.Null, TimeProvider.System), TimeProvider.System);
        var exit = await FunctionHost.RunAsync(loop, () => throw new InvalidOperationException("ENAREMEDIATE_HANDLER names no handler"), CancellationToken.None);

        Assert.Equal(1, exit);
        var posted = Assert.Single(await api.WaitForAsync(1));
        Assert.Equal(("init-error", "InvalidOperationException"), (posted.Kind, posted.ErrorType));
        Assert.Equal("ENAREMEDIATE_HANDLER names no handler", JsonDocument.Parse(posted.Body).RootElement.GetProperty("errorMessage").GetString());
    }
}
