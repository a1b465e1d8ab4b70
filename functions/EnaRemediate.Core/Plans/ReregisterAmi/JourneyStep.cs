using EnaRemediate.Core.Engine;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// A step of the replacement journey (the thenRemediate option): it runs only when the request
/// asked for it, and is passed over otherwise, so a plain registration keeps its six steps'
/// behaviour. A dry run lists the registration's calls only; the journey's commands go to an
/// instance that does not exist yet.
/// </summary>
public sealed class JourneyStep(IPlanStep inner) : IPlanStep
{
    public string Name => inner.Name;
    public IReadOnlyList<string> Permissions => inner.Permissions;
    public IReadOnlySet<string> ValidOriginStates => inner.ValidOriginStates;
    public EngineAction? PlannedAction(EngineOptions options) => null;

    public static bool Asked(StepContext context) => context.Memo(AmiMemo.ThenRemediateOption) == "true";

    /// <summary>The journey's calls in order, as a dry run lists them (their targets are made on the way, so none is DryRun-checked).</summary>
    public static IReadOnlyList<string> Outline(string bundleBucket) =>
    [
        "ec2:DescribeInstances / ssm:DescribeInstanceInformation: wait for the ENA-off replacement to pass its status checks with SSM Online",
        "ssm:SendCommand EnaRemediate-InstallDriver to the replacement (DKMS for every installed kernel)",
        "ssm:SendCommand EnaRemediate-CollectHostReport to the replacement: the driver must be installed for every kernel",
        $"ssm:SendCommand {RebundleStep.DocumentName} to the replacement: ec2-bundle-vol and ec2-upload-bundle to s3://{bundleBucket}/{RebundleStep.PrefixFor("<remediation id>")}/",
        "ec2:RegisterImage of that bundle with EnaSupport=true, ec2:CreateTags",
        "ec2:RunInstances of an ENA-enabled replacement on the original's instance type",
        "ssm:SendCommand EnaRemediate-CollectHostReport to the ENA-enabled replacement: ena must be bound",
        "nothing is stopped, rebooted or terminated; the original and the ENA-off replacement keep running",
    ];

    public StepDecision Decide(StepContext context) =>
        Asked(context) ? inner.Decide(context) : new StepDecision.Next($"{inner.Name}: not asked for (thenRemediate is off)");
}
