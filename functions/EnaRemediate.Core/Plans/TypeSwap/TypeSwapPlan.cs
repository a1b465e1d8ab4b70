using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Engine.Validation;
using EnaRemediate.Core.Plans.Fallback;
using EnaRemediate.Core.Plans.Steps;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Plans.TypeSwap;

/// <summary>
/// type-swap, for an EBS-backed x86_64 instance whose type requires ENA and that a Xen type can
/// run: stop → type = the Xen stand-in (original type recorded first) → enaSupport off → start →
/// SSM online → install the driver (DKMS, every kernel) → validate → stop → original type →
/// enaSupport on → start → healthy → validate ena is bound → (stop again if found stopped).
/// The fallback plan with one more attribute; stops, starts and enaSupport changes are batched
/// across records like the fallback's. Any failure rolls back to the original type.
/// </summary>
public sealed class TypeSwapPlan : IRemediationPlan
{
    public TypeSwapPlan(INitroPort nitro, IHostValidator validator)
    {
        Steps =
        [
            new StopStep("stop"),
            new SetInstanceTypeStep("set-stand-in-type", toStandIn: true, nitro),
            new SetEnaSupportStep("ena-off", enabled: false),
            new StartStep("start-on-stand-in"),
            new AwaitSsmOnlineStep("await-online-on-stand-in"),
            new CommandWhenOnlineStep(new RunCommandStep("install-driver", o => o.InstallDocument, o => o.InstallParameters, FallbackPlan.JudgeInstall, ExpectedLatencies.DriverInstall)),
            new CommandWhenOnlineStep(new RunCommandStep(FallbackPlan.ValidateInstallStep, o => o.CollectDocument, _ => FallbackPlan.NoParameters,
                i => FallbackPlan.JudgeReport(i, validator.CheckDriverInstalled, MemoKeys.DriverValidated))),
            new StopStep("stop-for-original-type"),
            new SetInstanceTypeStep("restore-type", toStandIn: false, nitro),
            new SetEnaSupportStep("ena-on", enabled: true),
            new StartStep("start-with-ena"),
            // As the fallback: validate once the agent is Online with ENA on, then wait for the status checks.
            new AwaitHealthyStep("await-online-with-ena", ssmOnlineSuffices: true),
            FallbackPlan.ValidateFinal(validator),
            new AwaitHealthyStep("await-healthy-with-ena"),
            new LeaveAsFoundStep("finish", "original type back, ENA on, the driver installed for every kernel and bound"),
        ];
        Rollback = new TypeSwapRollbackStep(nitro);
    }

    public string Name => PlanNames.TypeSwap;
    public IReadOnlyList<IPlanStep> Steps { get; }
    public IPlanStep? Rollback { get; }
}
