using EnaRemediate.Core.Engine;

namespace EnaRemediate.Core.Plans.TypeSwap;

/// <summary>
/// On the stand-in: waits for the SSM agent to be Online (the network is what the install needs;
/// the status checks may still be initializing). A guest that never comes online (an fstab that
/// names NVMe devices stops its boot on Xen) fails the step after the healthy timeout.
/// </summary>
public sealed class AwaitSsmOnlineStep(string name) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ssm:DescribeInstanceInformation"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string>();
    public EngineAction? PlannedAction(EngineOptions options) => null;

    /// <summary>Online or not decides, until the look that fails the step on <see cref="EngineOptions.HealthyTimeout"/>.</summary>
    public bool ObservesOnlyWhetherOnline(RemediationRecord record, TimeSpan inStep, EngineOptions options) => inStep <= options.HealthyTimeout;

    public StepDecision Decide(StepContext context)
    {
        if (context.Facts.State is not ("running" or "pending"))
        {
            return new StepDecision.Fail($"the instance became {context.Facts.State} while waiting for its SSM agent");
        }
        if (context.Facts.State == "running" && context.Facts.SsmPingStatus == "Online")
        {
            return new StepDecision.Next("SSM agent online on the stand-in type");
        }
        if (context.InStepFor > context.Options.HealthyTimeout)
        {
            return new StepDecision.Fail($"the SSM agent was not online {context.Options.HealthyTimeout.TotalMinutes:0} minutes after the start on the stand-in type " +
                $"(SSM {context.Facts.PingText}); the guest may not boot on Xen (an fstab naming /dev/nvme devices, or no xen-blkfront)");
        }
        return new StepDecision.Wait(ExpectedLatencies.SsmOnline.NextLook(context.InStepFor), $"waiting for the SSM agent on the stand-in (SSM {context.Facts.PingText})");
    }
}
