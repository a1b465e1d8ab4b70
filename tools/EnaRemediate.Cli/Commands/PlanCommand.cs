using System.CommandLine;
using System.Text.Json;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Cli.Engine;
using EnaRemediate.Core.Engine.Stores;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Cli.Commands;

/// <summary>
/// `enaremediate plan --instance-id ID... [--region R] [--endpoint-url URL] [--format text|json]`:
/// read-only triage (docs/engine.md). Exit 0 when every instance has a plan, 1 when any is refused,
/// 2 when AWS could not be asked, 64 bad usage.
/// </summary>
public static class PlanCommand
{
    public static Command Create()
    {
        var options = new EngineCliOptions();
        var command = new Command("plan", "Read-only triage: the plan (or the refusal and why) for each instance, and the calls it would make.");
        options.AddTo(command);
        command.SetAction((parse, ct) => CommandErrors.Guard(async () =>
        {
            var engineOptions = options.EngineOptions(parse);
            var service = EngineFactory.Create(Connection.For(parse.GetValue(options.Region), parse.GetValue(options.EndpointUrl)),
                new InMemoryRemediationStore(), engineOptions, TimeProvider.System);
            var plans = await service.PlanAsync(parse.GetValue(options.InstanceIds) ?? [], force: false, parse.GetValue(options.Route), ct);
            if (parse.GetValue(options.Format) == "json")
            {
                Console.WriteLine(JsonSerializer.Serialize(plans.Select(p => new
                {
                    instanceId = p.Triage.InstanceId,
                    plan = p.Triage.Plan,
                    route = p.Triage.Plan is PlanNames.TypeSwap or PlanNames.OfflineRepair ? p.Triage.Plan : null,
                    standInType = p.Triage.Memo.GetValueOrDefault(NitroRouting.StandInMemo),
                    rescue = p.Triage.Plan == PlanNames.OfflineRepair && p.Facts?.Nitro?.Instance is { Architecture: { } arch } nitro
                        ? new
                        {
                            availabilityZone = nitro.AvailabilityZone,
                            imageId = engineOptions.Nitro.RescueImages.GetValueOrDefault(arch),
                            instanceType = engineOptions.Nitro.RescueInstanceTypes.GetValueOrDefault(arch),
                            rootVolume = nitro.RootVolumeId,
                        }
                        : null,
                    refusalCode = p.Triage.RefusalCode,
                    reason = p.Triage.Reason,
                    state = p.Facts?.State,
                    instanceType = p.Facts?.Instance?.InstanceType,
                    typeEnaSupport = p.Facts?.TypeEnaSupport,
                    enaSupport = p.Facts?.Instance?.EnaSupport,
                    calls = p.PlannedCalls.Select(c => c.Description),
                }), CliJson.Options));
            }
            else
            {
                foreach (var plan in plans)
                {
                    StartOutput.WriteTriage(Console.Out, plan.Triage.InstanceId, plan.Triage.Plan, plan.Triage.RefusalCode, plan.Triage.Reason, plan.PlannedCalls);
                }
            }
            return plans.Any(p => p.Triage.Refused) ? ExitCodes.Attention : ExitCodes.Ok;
        }));
        return command;
    }
}
