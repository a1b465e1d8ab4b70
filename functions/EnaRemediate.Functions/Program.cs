using EnaRemediate.Functions.Handlers;
using EnaRemediate.Functions.Hosting;

// The Lambda entry point (Handler: EnaRemediate.Functions, Runtime: dotnet10): serve invocations
// through our own Runtime API loop with the handler ENAREMEDIATE_HANDLER names.
var log = new StructuredLog(Console.Out, TimeProvider.System);
var runtimeApi = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
if (string.IsNullOrEmpty(runtimeApi))
{
    Console.Error.WriteLine("AWS_LAMBDA_RUNTIME_API is not set: EnaRemediate.Functions runs inside AWS Lambda. Use the enaremediate CLI locally.");
    return 64;
}

var runtime = new LambdaRuntimeApiLoop(runtimeApi, log, TimeProvider.System);
return await FunctionHost.RunAsync(runtime,
    () => HandlerCatalog.Create(new FunctionServices(FunctionSettings.From(Environment.GetEnvironmentVariable), TimeProvider.System)),
    CancellationToken.None);
