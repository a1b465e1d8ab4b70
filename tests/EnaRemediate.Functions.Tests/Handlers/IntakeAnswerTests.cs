using System.Text;
using System.Text.Json.Nodes;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Notifications;
using EnaRemediate.Core.Plans;
using EnaRemediate.Functions.Handlers;
using EnaRemediate.Functions.Intake;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Handlers;

/// <summary>
/// Intake's answer is the workflow's Intake task result, which Step Functions limits to 256 KiB:
/// at the ceiling every record id must still be in it, and what shrinks is the detail.
/// </summary>
public sealed class IntakeAnswerTests
{
    private static readonly NotificationComposer Composer = new(new RecordLocation("enaremediate-records"));

    /// <summary>The longest ids and the wordiest engine text there can be: every field the notification clips is over its clip.</summary>
    private static StartedInstance Started(int i, bool refused = false)
    {
        var id = $"i-{i:x17}";
        var reason = string.Concat(Enumerable.Repeat($"ENA driver missing for kernel 6.1.0-99-amd64 on {id} ", 12));
        var calls = Enumerable.Range(0, 6).Select(c => new PlannedCall("ec2:ModifyInstanceAttribute", $"{reason} call {c}", null)).ToList();
        return refused
            ? new StartedInstance(id, null, "none", "opted-out", reason, [], Outcomes.Refused)
            : new StartedInstance(id, $"{id}-20261127T030000-0123abcd", "driver-reinstall", null, reason, calls, null);
    }

    [Fact]
    public void At_the_ceiling_every_record_id_is_in_an_answer_the_workflow_can_carry()
    {
        var start = new StartResult(Enumerable.Range(0, InstanceIds.MaxPerRequest).Select(i => Started(i, refused: i % 500 == 0)).ToList());

        var json = IntakeAnswer.Write(start, "runbook request: remediate for many", Composer);

        Assert.InRange(Encoding.UTF8.GetByteCount(json), 1, IntakeAnswer.MaxBytes);
        Assert.True(IntakeAnswer.MaxBytes + 2048 < LocalStateMachine.MaxStateBytes, "no room left for lambda:invoke's wrapper");
        var answer = JsonNode.Parse(json)!;
        Assert.Equal(start.RemediationIds, answer["remediationIds"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Equal(IntakeHandler.Started, answer["outcome"]!.GetValue<string>());
        // The detail had to shrink, and says by how much; the refused (no record) come first.
        var listed = answer["instances"]!.AsArray();
        Assert.True(listed.Count < NotificationComposer.MaxInstancesInJson, $"{listed.Count} listed");
        Assert.Equal(InstanceIds.MaxPerRequest - listed.Count, answer["instancesNotListed"]!.GetValue<int>());
        Assert.All(listed.Take(Math.Min(listed.Count, 8)), i => Assert.Equal(Outcomes.Refused, i!["outcome"]!.GetValue<string>()));
        // The start notification is still there and still counts every instance.
        var notification = Published(answer);
        Assert.Contains("4000 instances", notification.Subject);
        Assert.Equal(InstanceIds.MaxPerRequest - 8, notification.Json["counts"]!["started"]!.GetValue<int>());
    }

    [Fact]
    public void A_register_ami_answer_without_a_notification_fits_at_the_ceiling_too()
    {
        var instances = Enumerable.Range(0, InstanceIds.MaxPerRequest).Select(i => IntakeInstance.From(Started(i))).ToList();
        var ids = instances.Select(i => i.RemediationId!).ToList();

        var json = IntakeAnswer.Fit(ids, "runbook request: register-ami", instances, _ => null);

        Assert.InRange(Encoding.UTF8.GetByteCount(json), 1, IntakeAnswer.MaxBytes);
        var answer = JsonNode.Parse(json)!;
        Assert.Equal(ids, answer["remediationIds"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Null(answer["notification"]);
        Assert.Equal(InstanceIds.MaxPerRequest - answer["instances"]!.AsArray().Count, answer["instancesNotListed"]!.GetValue<int>());
    }

    [Fact]
    public void An_asynchronous_answer_for_1000_fits_the_destination_event_beside_its_request()
    {
        var start = new StartResult(Enumerable.Range(0, 1000).Select(i => Started(i)).ToList());
        var request = new JsonObject { ["instanceIds"] = new JsonArray(start.Instances.Select(i => (JsonNode)i.InstanceId).ToArray()), ["mode"] = "remediate" }.ToJsonString();

        var json = IntakeAnswer.Write(start, "console request", Composer, IntakeAnswer.BudgetFor(request));

        // Lambda's destination event: the request, the answer and a context of well under 16 KiB.
        Assert.True(Encoding.UTF8.GetByteCount(request) + Encoding.UTF8.GetByteCount(json) <= IntakeAnswer.MaxBytes, "request and answer exceed one event");
        Assert.Equal(1000, JsonNode.Parse(json)!["remediationIds"]!.AsArray().Count);
    }

    [Fact]
    public void A_small_request_keeps_every_instance_in_the_answer_and_the_notification()
    {
        var start = new StartResult([Started(1), Started(2, refused: true), Started(3)]);

        var answer = JsonNode.Parse(IntakeAnswer.Write(start, "console request", Composer))!;

        Assert.Equal(3, answer["instances"]!.AsArray().Count);
        Assert.Equal(0, answer["instancesNotListed"]!.GetValue<int>());
        Assert.Equal(2, answer["remediationIds"]!.AsArray().Count);
        Assert.Equal("i-00000000000000002", answer["instances"]![0]!["instanceId"]!.GetValue<string>());
        Assert.Equal(3, Published(answer).Json["instances"]!.AsArray().Count);
    }

    /// <summary>The notification as the workflow's NotifyStart publishes it.</summary>
    private static PublishedNotification Published(JsonNode answer) => PublishedNotification.From(new JsonObject
    {
        ["Subject"] = answer["notification"]!["subject"]!.DeepClone(),
        ["Message"] = answer["notification"]!["message"]!.DeepClone(),
    });
}
