using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Facts;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.TypeSwap;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// Asks EC2 with DryRun about each planned EC2 call and says per call what that means: permitted,
/// checked once the instance is stopped, refused (with EC2's words, once), or not checkable. EC2
/// judges a stopped-only call (enaSupport, the instance type) against the instance's state first,
/// so on a running instance its DryRun says IncorrectInstanceState whatever the permissions: the
/// plan makes those calls only after its own stop, and that answer is no refusal.
/// </summary>
internal sealed class DryRunChecker(IEc2Port ec2, INitroPort? nitro)
{
    /// <summary>One acting instance of a dry run: what was observed, what triage chose, the calls listed.</summary>
    public sealed record Planned(InstanceFacts Facts, TriageResult Triage, IReadOnlyList<PlannedCall> Calls);

    public async Task<Dictionary<string, IReadOnlyList<PlannedCall>>> CheckAsync(IReadOnlyList<Planned> instances, CancellationToken cancellationToken)
    {
        // Batched like the real run (one StopInstances and one StartInstances for all); only
        // instances with instance calls are asked: an instance-store plan must not even DryRun a stop.
        var acting = instances.Where(p => p.Calls.Any(c => c.Action is StopAction or StartAction or SetEnaSupportAction)).Select(p => p.Facts.InstanceId).ToList();
        (string Verdict, string Text)? stop = acting.Count == 0 ? null : await AskAsync(() => ec2.StopInstancesAsync(acting, force: false, dryRun: true, cancellationToken), stoppedOnly: false);
        (string Verdict, string Text)? start = acting.Count == 0 ? null : await AskAsync(() => ec2.StartInstancesAsync(acting, dryRun: true, cancellationToken), stoppedOnly: false);
        var checkedCalls = new Dictionary<string, IReadOnlyList<PlannedCall>>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            var id = instance.Facts.InstanceId;
            var asked = acting.Contains(id);
            var answers = new List<PlannedCall>();
            foreach (var call in instance.Calls)
            {
                (string Verdict, string Text) answer = call.Action switch
                {
                    StopAction when asked => stop!.Value,
                    StartAction when asked => start!.Value,
                    SetEnaSupportAction ena when asked => await AskAsync(() => ec2.SetEnaSupportAsync(id, ena.Enabled, dryRun: true, cancellationToken), stoppedOnly: true),
                    PlannedTypeChange change when asked && nitro is not null && TargetType(instance, change) is { } type =>
                        await AskAsync(() => nitro.SetInstanceTypeAsync(id, type, dryRun: true, cancellationToken), stoppedOnly: true),
                    _ => Unasked(call),
                };
                answers.Add(call with { DryRunCheck = answer.Text, DryRunVerdict = answer.Verdict });
            }
            checkedCalls[id] = answers;
        }
        return checkedCalls;
    }

    /// <summary>The type this change sets: the stand-in triage chose, or back to the type it has now.</summary>
    private static string? TargetType(Planned instance, PlannedTypeChange change) =>
        change.ToStandIn ? instance.Triage.Memo.GetValueOrDefault(NitroRouting.StandInMemo) : instance.Facts.Instance?.InstanceType;

    private static (string Verdict, string Text) Unasked(PlannedCall call) => call.AwsAction switch
    {
        var a when a.StartsWith("ssm:", StringComparison.Ordinal) => (DryRunVerdicts.NoDryRun, "no dry run: SSM has no DryRun"),
        var a when a.StartsWith("autoscaling:", StringComparison.Ordinal) => (DryRunVerdicts.NoDryRun, "no dry run: Auto Scaling has no DryRun"),
        _ => (DryRunVerdicts.NotChecked, "not checked: a call the plan makes itself, later; this dry run does not ask EC2 about it"),
    };

    private static async Task<(string Verdict, string Text)> AskAsync(Func<Task> dryRun, bool stoppedOnly)
    {
        try
        {
            await dryRun();
            return (DryRunVerdicts.Permitted, "permitted by EC2 DryRun (DryRunOperation)");
        }
        catch (AwsCallException e) when (stoppedOnly && e.ErrorCode == "IncorrectInstanceState")
        {
            return (DryRunVerdicts.CheckedOnceStopped, "will be checked once the instance is stopped: EC2 judges this call only on a stopped instance, and the plan makes it only then (DryRun now: IncorrectInstanceState)");
        }
        catch (AwsCallException e) when (e.Throttled)
        {
            return (DryRunVerdicts.NotChecked, $"not checked: EC2 throttled the DryRun ({e.ErrorCode}); run the dry run again");
        }
        catch (AwsCallException e)
        {
            return (DryRunVerdicts.Refused, $"refused by EC2 DryRun: {e.ErrorCode}: {e.ServiceMessage}");
        }
    }
}
