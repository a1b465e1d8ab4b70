using System.CommandLine;
using System.Text.Json;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Cli.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Stores;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate plan --instance-id ID... [--region R] [--endpoint-url URL] [--format text|json]`:
/// read-only triage (docs/engine.md): each instance's status checks and SSM ping, and "healthy: nothing
/// to do" or its route. Exit 0 when every instance has a plan or is healthy, 1 when any is refused,
/// 2 when AWS could not be asked, 64 bad usage.
/// </summary>
public static class PlanCommand
{
    public static Command Create()
    {
        var options = new EngineCliOptions();
        var command = new Command("plan", "Read-only triage: each instance's status checks and SSM ping, then \"healthy: nothing to do\" or its plan (or the refusal and why) and the calls it would make.");
        options.AddTo(command);
        command.SetAction((parse, ct) => CommandErrors.Guard(async () =>
        {
            var engineOptions = options.EngineOptions(parse);
            var service = EngineFactory.Create(Connection.For(parse.GetValue(options.Region), parse.GetValue(options.EndpointUrl)),
                new InMemoryRemediationStore(), engineOptions, TimeProvider.System);
            var plans = await service.PlanAsync(parse.GetValue(options.InstanceIds) ?? [], force: false, parse.GetValue(options.Route), ct);
            if (parse.GetValue(options.Format) == "json")
            {
                Console.WriteLine(JsonSerializer.Serialize(plans.Select(p => PlanOutput.Json(p, engineOptions)), CliJson.Options));
            }
            else
            {
                foreach (var plan in plans)
                {
                    PlanOutput.WriteText(Console.Out, plan);
                }
            }
            // A healthy instance is not a refusal to attend to: nothing needs doing there.
            return plans.Any(p => p.Triage.Refused && !InstanceView.Of(p).Healthy) ? ExitCodes.Attention : ExitCodes.Ok;
        }));
        return command;
    }
}
