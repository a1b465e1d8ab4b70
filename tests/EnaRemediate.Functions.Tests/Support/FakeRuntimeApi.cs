using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace EnaRemediate.Functions.Tests.Support;

/// <summary>
/// A loopback stand-in for the Lambda Runtime API (no emulator is installable here): hands out
/// queued invocations on GET next, and records every response, error and init error as Lambda would
/// receive them, headers included.
/// </summary>
public sealed class FakeRuntimeApi : IAsyncDisposable
{
    public sealed record Event(string RequestId, string Payload, long DeadlineMs, string FunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:intake", string? TraceId = null);
    public sealed record Posted(string Kind, string RequestId, string? ErrorType, string Body);

    private readonly HttpListener listener = new();
    private readonly Channel<Event> pending = Channel.CreateUnbounded<Event>();
    private readonly CancellationTokenSource stop = new();
    private readonly Task serving;

    public ConcurrentQueue<Posted> Received { get; } = new();
    /// <summary>Responses larger than this get 413, as Lambda's 6 MB limit does.</summary>
    public int MaxResponseBytes { get; init; } = 6 * 1024 * 1024;
    public string Address { get; }

    public FakeRuntimeApi()
    {
        var port = FreePort();
        Address = $"127.0.0.1:{port}";
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    public void Enqueue(Event e) => pending.Writer.TryWrite(e);

    /// <summary>Waits until <paramref name="count"/> results (responses or errors) arrived.</summary>
    public async Task<IReadOnlyList<Posted>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (Received.Count < count)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Only {Received.Count} of {count} results arrived.");
            await Task.Delay(10);
        }
        return Received.ToList();
    }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) when (stop.IsCancellationRequested) { return; }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        var response = context.Response;
        try
        {
            if (context.Request.HttpMethod == "GET" && path == "/2018-06-01/runtime/invocation/next")
            {
                var e = await pending.Reader.ReadAsync(stop.Token);
                response.Headers["Lambda-Runtime-Aws-Request-Id"] = e.RequestId;
                response.Headers["Lambda-Runtime-Deadline-Ms"] = e.DeadlineMs.ToString();
                response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = e.FunctionArn;
                if (e.TraceId is not null) response.Headers["Lambda-Runtime-Trace-Id"] = e.TraceId;
                var bytes = Encoding.UTF8.GetBytes(e.Payload);
                response.ContentType = "application/json";
                response.ContentLength64 = bytes.Length;
                await response.OutputStream.WriteAsync(bytes);
                response.Close();
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var errorType = context.Request.Headers["Lambda-Runtime-Function-Error-Type"];
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (path == "/2018-06-01/runtime/init/error")
                Received.Enqueue(new Posted("init-error", "", errorType, body));
            else if (parts is [_, "runtime", "invocation", var id, "response"])
            {
                if (Encoding.UTF8.GetByteCount(body) > MaxResponseBytes) { response.StatusCode = 413; response.Close(); return; }
                Received.Enqueue(new Posted("response", Uri.UnescapeDataString(id), null, body));
            }
            else if (parts is [_, "runtime", "invocation", var failed, "error"])
                Received.Enqueue(new Posted("error", Uri.UnescapeDataString(failed), errorType, body));
            else { response.StatusCode = 404; response.Close(); return; }
            response.StatusCode = 202;
            response.Close();
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            response.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        // Close only: on Linux the managed HttpListener's Stop() already unregisters the port, and a
        // later Close() looks the port up again and tries to bind it anew ("Address already in use"
        // when another test got the port in between). ServeAsync returns once the listener is gone.
        listener.Close();
        await serving;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
