namespace EnaRemediate.Functions.Hosting;

/// <summary>
/// The contract between our handlers and whatever talks to Lambda. <see cref="LambdaRuntimeApiLoop"/>
/// implements it against the Runtime API; Amazon.Lambda.RuntimeSupport could implement it instead
/// if that package ever becomes available, without touching a handler.
/// </summary>
public interface ILambdaRuntime
{
    /// <summary>Serves invocations one after another until <paramref name="cancellationToken"/> fires, then throws OperationCanceledException.</summary>
    Task RunAsync(IFunctionHandler handler, CancellationToken cancellationToken);

    /// <summary>Tells Lambda the function could not start (bad configuration, missing handler).</summary>
    Task ReportInitErrorAsync(Exception error, CancellationToken cancellationToken);
}

/// <summary>One handler: a payload in, a payload out, no Lambda types.</summary>
public interface IFunctionHandler
{
    Task<string> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>What Lambda tells us about one invocation.</summary>
public sealed record LambdaInvocation(
    string RequestId,
    DateTimeOffset Deadline,
    string InvokedFunctionArn,
    string? TraceId,
    string Payload,
    StructuredLog Log);
