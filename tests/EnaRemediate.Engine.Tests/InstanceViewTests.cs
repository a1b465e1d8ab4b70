using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Engine.Tests;

/// <summary>What `plan` and the diagnose function say of one instance: "healthy: nothing to do" only where that is true, the checks and SSM ping always.</summary>
public sealed class InstanceViewTests
{
    private static InstanceFacts M5(string instanceCheck, string? ping) => new("i-0123456789abcdef0",
        new Ec2Instance { InstanceId = "i-0123456789abcdef0", State = "running", InstanceType = "m5.large", RootDeviceType = "ebs", VirtualizationType = "hvm", EnaSupport = true },
        "required", new Ec2StatusChecks("ok", instanceCheck), ping);

    [Fact]
    public void AHealthyM5ThatWouldNeedARouteItLacksIsHealthyNotInNeedOfOfflineRepair()
    {
        var facts = M5("ok", "Online");
        var triage = TriageResult.Refuse(facts.InstanceId, PlanNames.OfflineRepair, RefusalCodes.PlanNotAvailable,
            "Needs offline repair (snapshot, rescue instance, chroot install): m5.large requires ENA. This engine does not carry out offline repair yet; nothing was changed.");

        var view = InstanceView.Of(new InstancePlan(triage, facts, []));

        Assert.True(view.Healthy);
        Assert.Equal(("healthy: nothing to do", "none", null), (view.Verdict, view.Route, view.RefusalCode));
        Assert.DoesNotContain("offline repair", view.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("system check ok, instance check ok, SSM ping Online", view.Checks);
        Assert.StartsWith("would run offline-repair, but refused (plan-not-available)", view.IfBroken, StringComparison.Ordinal);
    }

    [Fact]
    public void NothingObservedBrokenIsHealthyAndNamesTheRouteIfItBroke()
    {
        var facts = M5("initializing", "Online");
        var triage = TriageResult.Refuse(facts.InstanceId, PlanNames.TypeSwap, RefusalCodes.NotImpaired, "Nothing observed broken: the instance status check is initializing and the SSM agent is Online.");

        var view = InstanceView.Of(new InstancePlan(triage, facts, []));

        Assert.Equal((true, "healthy: nothing to do", "would run type-swap"), (view.Healthy, view.Verdict, view.IfBroken));
    }

    [Fact]
    public void ABrokenInstanceShowsItsRouteAndChecks()
    {
        var facts = M5("impaired", "ConnectionLost");
        var triage = TriageResult.Act(facts.InstanceId, PlanNames.TypeSwap, "type-swap: m5.large requires ENA.");

        var view = InstanceView.Of(new InstancePlan(triage, facts, []));

        Assert.Equal((false, "type-swap", "would run type-swap", null), (view.Healthy, view.Route, view.Verdict, view.IfBroken));
        Assert.Equal("system check ok, instance check impaired, SSM ping ConnectionLost", view.Checks);
    }

    [Fact]
    public void AHealthyLookingInstanceThatIsRefusedForAnotherReasonWhileNotManagedIsRefused()
    {
        var facts = M5("ok", null);
        var triage = TriageResult.Refuse(facts.InstanceId, PlanNames.Fallback, RefusalCodes.NotOptedIn, "The instance is not opted in.");

        var view = InstanceView.Of(new InstancePlan(triage, facts, []));

        Assert.Equal((false, "refused", "refused (not-opted-in)"), (view.Healthy, view.Route, view.Verdict));
        Assert.Equal("system check ok, instance check ok, SSM ping none (not registered with SSM)", view.Checks);
    }

    [Fact]
    public void ARunningRemediationIsNeverNothingToDo()
    {
        var facts = M5("ok", "Online");
        var triage = TriageResult.Refuse(facts.InstanceId, PlanNames.TypeSwap, RefusalCodes.AlreadyRemediating, "Already being remediated.");

        Assert.False(InstanceView.Of(new InstancePlan(triage, facts, [])).Healthy);
    }
}
