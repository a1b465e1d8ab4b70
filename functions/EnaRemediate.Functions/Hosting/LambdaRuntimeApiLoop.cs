using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace EnaRemediate.Functions.Hosting;

/// <summary>
/// Our own client of the Lambda Runtime API (2018-06-01), because no Amazon.Lambda.* package is
/// available: the managed dotnet runtime starts our executable and we fetch invocations ourselves.
/// GET next has no timeout (Lambda freezes the process while it waits); each invocation's trace id
/// is exported as _X_AMZN_TRACE_ID for the SDK; a handler exception is reported with its type name
/// as errorType, which Step Functions matches in Retry/Catch ErrorEquals.
/// </summary>
public sealed class LambdaRuntimeApiLoop : ILambdaRuntime
{
    /// <summary>The handler's token fires this long before Lambda's deadline, so it can still answer.</summary>
    public static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(1);

    private readonly HttpClient http;
    private readonly StructuredLog log;
    private readonly TimeProvider time;

    /// <param name="runtimeApi">The value of AWS_LAMBDA_RUNTIME_API, host:port.</param>
    public LambdaRuntimeApiLoop(string runtimeApi, StructuredLog log, TimeProvider time)
    {
        http = new HttpClient
        {
            BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        this.log = log;
        this.time = time;
    }

    public async Task RunAsync(IFunctionHandler handler, CancellationToken cancellationToken)
    {
        // Runs until cancelled and then always throws OperationCanceledException, whether the
        // cancellation lands during a GET, an invocation, or between two of them.
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var next = await http.GetAsync("runtime/invocation/next", cancellationToken);
            next.EnsureSuccessStatusCode();
            var invocation = await ReadInvocationAsync(next, cancellationToken);
            await InvokeAsync(handler, invocation, cancellationToken);
        }
    }

    public async Task ReportInitErrorAsync(Exception error, CancellationToken cancellationToken)
    {
        log.Error("init failed", new { errorType = ErrorTypeOf(error), error.Message });
        using var response = await PostErrorAsync("runtime/init/error", error, cancellationToken);
    }

    private async Task<LambdaInvocation> ReadInvocationAsync(HttpResponseMessage next, CancellationToken cancellationToken)
    {
        var requestId = Header(next, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new InvalidOperationException("The Runtime API sent an invocation without Lambda-Runtime-Aws-Request-Id.");
        var deadline = long.TryParse(Header(next, "Lambda-Runtime-Deadline-Ms"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : time.GetUtcNow().AddMinutes(15);
        var traceId = Header(next, "Lambda-Runtime-Trace-Id");
        if (traceId is not null) Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", traceId);
        var payload = await next.Content.ReadAsStringAsync(cancellationToken);
        return new LambdaInvocation(requestId, deadline, Header(next, "Lambda-Runtime-Invoked-Function-Arn") ?? "",
            traceId, payload, log.ForRequest(requestId));
    }

    private async Task InvokeAsync(IFunctionHandler handler, LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var id = Uri.EscapeDataString(invocation.RequestId);
        using var untilDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var remaining = invocation.Deadline - time.GetUtcNow() - DeadlineMargin;
        untilDeadline.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);

        string result;
        try
        {
            result = await handler.HandleAsync(invocation, untilDeadline.Token);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            invocation.Log.Error("invocation failed", new { errorType = ErrorTypeOf(error), error.Message });
            using var reported = await PostErrorAsync($"runtime/invocation/{id}/error", error, cancellationToken);
            return;
        }

        using var posted = await http.PostAsync($"runtime/invocation/{id}/response",
            new StringContent(result, Encoding.UTF8, "application/json"), cancellationToken);
        if (posted.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            // Lambda refuses responses over 6 MB; say so as this invocation's error instead of dying.
            var tooLarge = new ResponseTooLargeException(Encoding.UTF8.GetByteCount(result));
            invocation.Log.Error("response too large", new { bytes = tooLarge.Bytes });
            using var reported = await PostErrorAsync($"runtime/invocation/{id}/error", tooLarge, cancellationToken);
        }
        else
        {
            posted.EnsureSuccessStatusCode();
        }
    }

    private Task<HttpResponseMessage> PostErrorAsync(string path, Exception error, CancellationToken cancellationToken)
    {
        var errorType = ErrorTypeOf(error);
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["errorMessage"] = error.Message,
            ["errorType"] = errorType,
            ["stackTrace"] = (error.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        });
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Lambda-Runtime-Function-Error-Type", errorType);
        return http.SendAsync(request, cancellationToken);
    }

    /// <summary>The simple type name (e.g. InvalidRequestException): what Step Functions' ErrorEquals sees.</summary>
    public static string ErrorTypeOf(Exception error) => error.GetType().Name;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>The handler's answer exceeded what Lambda accepts as a response.</summary>
public sealed class ResponseTooLargeException(int bytes)
    : Exception($"The response is {bytes} bytes, more than Lambda accepts (6 MB); narrow the request.")
{
    public int Bytes { get; } = bytes;
}
