using EnaRemediate.Core.Facts;

namespace EnaRemediate.Core.Plans.Steps;

/// <summary>
/// A system status check that goes bad during a remediation is AWS's hardware or network, not the
/// driver: the steps that wait for health or talk to the host name it as such instead of blaming SSM.
/// </summary>
public static class SystemCheck
{
    public static string? Impaired(InstanceFacts facts) => facts.Status?.SystemStatus == "impaired"
        ? $"the system status check became impaired during the remediation (an AWS hardware or network problem, not the ENA driver; instance check {facts.Status.InstanceStatus}, state {facts.State})"
        : null;
}
