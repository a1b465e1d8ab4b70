using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Cli.Engine;

/// <summary>`plan`'s answer for one instance, in text or as a JSON object: its checks, SSM ping, and "healthy: nothing to do" or the route and its calls.</summary>
internal static class PlanOutput
{
    public static void WriteText(TextWriter output, InstancePlan plan)
    {
        var view = InstanceView.Of(plan);
        if (!view.Healthy)
        {
            StartOutput.WriteTriage(output, view.InstanceId, plan.Triage.Plan, plan.Triage.RefusalCode, plan.Triage.Reason, plan.PlannedCalls, view.Checks);
            return;
        }
        output.WriteLine($"{view.InstanceId}: {InstanceView.HealthyVerdict}");
        output.WriteLine($"  {view.Checks}");
        output.WriteLine($"  {view.Reason}");
        output.WriteLine($"  if it broke: {view.IfBroken}");
    }

    public static object Json(InstancePlan p, EngineOptions engineOptions)
    {
        var view = InstanceView.Of(p);
        return new
        {
            instanceId = view.InstanceId,
            verdict = view.Verdict,
            healthy = view.Healthy,
            route = view.Route,
            plan = p.Triage.Plan,
            standInType = p.Triage.Memo.GetValueOrDefault(NitroRouting.StandInMemo),
            rescue = p.Triage.Plan == PlanNames.OfflineRepair && p.Facts?.Nitro?.Instance is { Architecture: { } arch } nitro
                ? new
                {
                    availabilityZone = nitro.AvailabilityZone,
                    imageId = engineOptions.Nitro.RescueImages.GetValueOrDefault(arch),
                    instanceType = engineOptions.Nitro.RescueInstanceTypes.GetValueOrDefault(arch),
                    rootVolume = nitro.RootVolumeId,
                    maxConcurrentRescues = engineOptions.Nitro.MaxConcurrentRescues,
                }
                : null,
            refusalCode = p.Triage.RefusalCode,
            reason = view.Reason,
            ifBroken = view.IfBroken,
            state = p.Facts?.State,
            systemStatus = view.SystemCheck,
            instanceStatus = view.InstanceCheck,
            ssmPingStatus = view.SsmPing,
            instanceType = p.Facts?.Instance?.InstanceType,
            typeEnaSupport = p.Facts?.TypeEnaSupport,
            enaSupport = p.Facts?.Instance?.EnaSupport,
            calls = p.PlannedCalls.Select(c => c.Description),
        };
    }
}
