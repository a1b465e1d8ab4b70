using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Engine.Validation;
using EnaRemediate.Core.Plans.Fallback;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// reregister-ami, for instance-store-backed instances (which cannot be stopped): inspect the
/// instance's AMI → register a copy with EnaSupport=false → tag it with its source → wait until it
/// is available → (optionally) launch a replacement → finish with outcome ami-registered and the
/// run-instances parameters. The instance itself is never stopped, rebooted or terminated: no step
/// has a permission that could. Nothing to roll back: the registered image is the result, and a
/// retry resumes it; a failure ends with what remains (<see cref="JourneyRollbackStep"/>).
/// With thenRemediate (docs/instance-store.md, "The replacement journey") the record goes on to
/// the ENA-off replacement: SSM Online → the fallback plan's install-driver and validate-install
/// → re-bundle it into S3 → register that bundle with EnaSupport=true → launch an ENA-enabled
/// replacement → validate ena bound on it. Replacements are instance-store-backed too, so nothing
/// on that route stops an instance either.
/// </summary>
public sealed class ReregisterAmiPlan : IRemediationPlan
{
    public ReregisterAmiPlan(IImagePort images, TimeProvider time, IHostValidator? validator = null)
    {
        var registrar = new AmiRegistrar(images, time);
        validator ??= new HostReportValidator();
        Steps =
        [
            new InspectSourceStep(registrar),
            new RegisterImageStep(registrar),
            new TagImageStep(registrar),
            new AwaitAvailableStep(registrar),
            new LaunchReplacementStep(registrar),
            new JourneyStep(new ActOnInstanceStep("act-on-replacement", AmiMemo.ReplacementInstanceId, "ENA-off replacement", registrar)),
            new JourneyStep(new AwaitReplacementStep("await-replacement")),
            new JourneyStep(FallbackPlan.InstallDriver()),
            new JourneyStep(FallbackPlan.ValidateInstall(validator)),
            new JourneyStep(new RebundleStep()),
            new JourneyStep(new RegisterEnaImageStep(registrar)),
            new JourneyStep(new AwaitAvailableStep(registrar, AwaitAvailableStep.EnaEnabledImage)),
            new JourneyStep(new LaunchReplacementStep(registrar, LaunchReplacementStep.EnaOn)),
            new JourneyStep(new ActOnInstanceStep("act-on-ena-replacement", AmiMemo.EnaReplacementInstanceId, "ENA-enabled replacement", registrar)),
            new JourneyStep(new AwaitReplacementStep("await-ena-replacement")),
            new JourneyStep(FallbackPlan.ValidateFinal(validator)),
            new FinishStep(registrar),
        ];
        Rollback = new JourneyRollbackStep(registrar);
    }

    public string Name => PlanNames.ReregisterAmi;
    public IReadOnlyList<IPlanStep> Steps { get; }
    public IPlanStep? Rollback { get; }
}
