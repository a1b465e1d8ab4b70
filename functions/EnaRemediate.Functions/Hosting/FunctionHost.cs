namespace EnaRemediate.Functions.Hosting;

/// <summary>
/// Start-up: build the handler the configuration names, report an init error if that fails (so
/// Lambda shows the reason instead of a timeout), then serve invocations.
/// </summary>
public static class FunctionHost
{
    public static async Task<int> RunAsync(ILambdaRuntime runtime, Func<IFunctionHandler> createHandler, CancellationToken cancellationToken)
    {
        IFunctionHandler handler;
        try
        {
            handler = createHandler();
        }
        catch (Exception error)
        {
            await runtime.ReportInitErrorAsync(error, cancellationToken);
            return 1;
        }
        await runtime.RunAsync(handler, cancellationToken);
        return 0;
    }
}
