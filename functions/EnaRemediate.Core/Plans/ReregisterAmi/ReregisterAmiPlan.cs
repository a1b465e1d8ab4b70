using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// reregister-ami, for instance-store-backed instances (which cannot be stopped): inspect the
/// instance's AMI → register a copy with EnaSupport=false → tag it with its source → wait until it
/// is available → (optionally) launch a replacement → finish with outcome ami-registered and the
/// run-instances parameters. The instance itself is never stopped, rebooted or terminated: no step
/// has a permission that could. Nothing to roll back: the registered image is the result, and a
/// retry resumes it.
/// </summary>
public sealed class ReregisterAmiPlan : IRemediationPlan
{
    public ReregisterAmiPlan(IImagePort images, TimeProvider time)
    {
        var registrar = new AmiRegistrar(images, time);
        Steps =
        [
            new InspectSourceStep(registrar),
            new RegisterImageStep(registrar),
            new TagImageStep(registrar),
            new AwaitAvailableStep(registrar),
            new LaunchReplacementStep(registrar),
            new FinishStep(registrar),
        ];
    }

    public string Name => PlanNames.ReregisterAmi;
    public IReadOnlyList<IPlanStep> Steps { get; }
    public IPlanStep? Rollback => null;
}
