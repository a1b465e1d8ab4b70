using System.Text;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Notifications;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// What intake answers: remediationIds is what the workflow's fan-out drives, notification what it
/// publishes first, instances the per-instance detail, those not started first (<see cref="InstancesNotListed"/>
/// says how many were left out when the answer had to shrink; the records and the notification's counts have them all).
/// </summary>
public sealed record IntakeAnswer(string Outcome, string Reason, IReadOnlyList<string> RemediationIds, IReadOnlyList<IntakeInstance> Instances,
    Notification? Notification = null, int InstancesNotListed = 0)
{
    /// <summary>
    /// The answer is the result of the workflow's Intake task, and Step Functions fails a task whose
    /// result passes 256 KiB (States.DataLimitExceeded, which no Catch sees); lambda:invoke wraps it
    /// in a few hundred bytes more. Every record id must be in it (the fan-out's items); a record id
    /// is the instance id, a timestamp and 8 hex digits, at most 44 characters, 47 bytes in the
    /// list, so a request at the ceiling (<see cref="SweepHandler.MaxPerWorkflow"/>, 4,000) takes
    /// 188,000 bytes and leaves 57 KB under this limit for the reason (ten ids named, the rest
    /// counted) and the notification with ten instances spelled out and none in its JSON section
    /// (about 11 KB even when every field is at its clip).
    /// </summary>
    public const int MaxBytes = 240 * 1024;

    /// <summary>
    /// An asynchronous invocation's answer reaches the workflow through Lambda's success destination,
    /// one EventBridge event (256 KB) that carries the request beside it: the answer gets what the
    /// request leaves. (A workflow's own Intake task needs only <see cref="MaxBytes"/>; there the
    /// detail shrinks more than it must, and the records keep all of it.)
    /// </summary>
    public static int BudgetFor(string request) => MaxBytes - Encoding.UTF8.GetByteCount(request);

    /// <summary>The answer to a start, its notification composed by <paramref name="notifications"/>, within <paramref name="budget"/> bytes (<see cref="Fit"/>).</summary>
    public static string Write(StartResult start, string reason, NotificationComposer notifications, int budget = MaxBytes) =>
        Fit(start.RemediationIds, reason, start.Instances.Select(IntakeInstance.From).ToList(), inJson => notifications.ForStart(start, reason, inJson), budget);

    /// <summary>
    /// The answer as JSON within <paramref name="budget"/> bytes: instances needing attention (not
    /// started) first; when too large, first the instance detail and then the notification's JSON
    /// section (<paramref name="notification"/> composes it with that many instances) are halved
    /// until it fits. The ids, the reason and the counts never shrink.
    /// </summary>
    public static string Fit(IReadOnlyList<string> ids, string reason, IReadOnlyList<IntakeInstance> instances, Func<int, Notification?> notification, int budget = MaxBytes)
    {
        var ordered = instances.OrderBy(i => i.RemediationId is null || i.Outcome is not null ? 0 : 1).ToList();
        var outcome = ids.Count > 0 ? IntakeHandler.Started : IntakeHandler.NothingToRun;
        var listed = Math.Min(ordered.Count, NotificationComposer.MaxInstancesInJson);
        var inJson = NotificationComposer.MaxInstancesInJson;
        while (true)
        {
            var json = JsonOutput.Write(new IntakeAnswer(outcome, reason, ids, ordered.Take(listed).ToList(), notification(inJson), ordered.Count - listed));
            if (Encoding.UTF8.GetByteCount(json) <= budget || (listed == 0 && inJson == 0)) return json;
            if (listed > 0) listed /= 2;
            else inJson /= 2;
        }
    }
}

public sealed record IntakeInstance(string InstanceId, string? RemediationId, string Plan, string? Outcome, string? Reason, IReadOnlyList<string> PlannedCalls)
{
    public static IntakeInstance From(StartedInstance i) =>
        new(i.InstanceId, i.RemediationId, i.Plan, i.Outcome, i.Reason, i.PlannedCalls.Select(c => c.ToString()).ToList());
}
