using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Notifications;
using EnaRemediate.Core.Plans;

namespace EnaRemediate.Core.Tests.Notifications;

public sealed class NotificationComposerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly NotificationComposer Composer = new(new RecordLocation("enaremediate-records"));

    private static RemediationRecord Record(string instanceId, string outcome, string reason, params UndoEntry[] undo) => new()
    {
        RemediationId = $"{instanceId}-20261201T030000-abcd1234",
        InstanceId = instanceId,
        Plan = "fallback",
        Trigger = "alarm",
        CreatedAt = Now,
        UpdatedAt = Now.AddMinutes(12),
        Outcome = outcome,
        OutcomeReason = reason,
        UndoLog = [.. undo],
        Memo = ImmutableDictionary<string, string>.Empty.Add(MemoKeys.EnaModuleVersion, "2.16.1g"),
        History =
        [
            new HistoryEntry(Now, "start", "triage: fallback: EBS-backed r4.large supports running without ENA: turn ENA off, install the driver, validate, turn ENA back on."),
            new HistoryEntry(Now.AddMinutes(3), "install-driver", "sending EnaRemediate-InstallDriver"),
            new HistoryEntry(Now.AddMinutes(12), "done", $"{outcome}: {reason}"),
        ],
    };

    private static AdvanceResult Finished(params RemediationRecord[] records) =>
        new(true, 0, records.Select(r => RecordSummary.From(r, Now)).ToList());

    private static UndoEntry EnaWasOn() => new(UndoActions.RestoreEnaSupport, "enaSupport was on when found", ImmutableDictionary<string, string>.Empty.Add("found", "true"), Now);

    private static (string Text, JsonNode Json) Split(Notification notification)
    {
        var at = notification.Message.IndexOf(NotificationComposer.JsonSectionHeader, StringComparison.Ordinal);
        Assert.True(at > 0);
        return (notification.Message[..at], JsonNode.Parse(notification.Message[(at + NotificationComposer.JsonSectionHeader.Length)..])!);
    }

    [Fact]
    public void A_recovered_instance_says_what_was_wrong_what_was_done_what_stays_and_where_the_record_is()
    {
        var notification = Composer.ForEnd(Finished(Record("i-0123456789abcdef0", Outcomes.Recovered, "ENA on, the driver installed for every kernel and bound", EnaWasOn())));

        Assert.Equal("EnaRemediate: i-0123456789abcdef0 recovered", notification.Subject);
        var (text, json) = Split(notification);
        Assert.Contains("i-0123456789abcdef0: recovered (fallback)", text);
        Assert.Contains("What was wrong: EBS-backed r4.large supports running without ENA", text);
        Assert.Contains("What was done: ENA on, the driver installed for every kernel and bound", text);
        Assert.Contains("Still changed: the ENA driver 2.16.1g is installed through DKMS", text);
        Assert.Contains("enaremediate history i-0123456789abcdef0-20261201T030000-abcd1234 --store dynamodb:enaremediate-records", text);
        Assert.Contains("DynamoDB table enaremediate-records", text);
        Assert.Equal("end", json["kind"]!.GetValue<string>());
        Assert.Equal(1, json["counts"]!["recovered"]!.GetValue<int>());
        Assert.Equal("recovered", json["instances"]![0]!["outcome"]!.GetValue<string>());
    }

    [Fact]
    public void A_rollback_says_the_instance_is_not_fixed_and_that_ena_stays_off()
    {
        var rolledBack = Record("i-0aaaaaaaaaaaaaaa1", Outcomes.RolledBack, "validate-install: no ena module for 6.1.0-57; rolled back: enaSupport off, instance running and passing its status checks",
            EnaWasOn(), new UndoEntry(UndoActions.StartAgain, "the instance was running when found: start it again", ImmutableDictionary<string, string>.Empty, Now));

        var (text, json) = Split(Composer.ForEnd(Finished(rolledBack)));

        Assert.Contains("rolled back, NOT fixed", text);
        Assert.Contains("enaSupport is left off (enaSupport was on when found)", text);
        Assert.Contains("an ena module may have been added to DKMS", text);
        Assert.DoesNotContain("start it again", text);
        Assert.Equal(2, json["instances"]![0]!["remainingChanges"]!.AsArray().Count);
    }

    [Fact]
    public void A_rollbacks_own_account_of_what_remains_is_used_instead_of_the_raw_undo_log()
    {
        var rolledBack = Record("i-0aaaaaaaaaaaaaaa1", Outcomes.RolledBack, "rolled back", EnaWasOn());
        rolledBack = rolledBack with { Memo = rolledBack.Memo.Add(EnaRemediate.Core.Plans.MemoKeys.Remains, "enaSupport off (found on; off keeps it reachable without the driver); the instance running as found") };

        var (text, _) = Split(Composer.ForEnd(Finished(rolledBack)));

        Assert.Contains("Still changed: enaSupport off (found on; off keeps it reachable without the driver); the instance running as found", text);
        Assert.DoesNotContain("enaSupport is left off", text);
    }

    [Fact]
    public void A_refusal_at_the_start_is_never_silent_and_says_nothing_was_changed()
    {
        var start = new StartResult([new StartedInstance("i-0bbbbbbbbbbbbbbb2", "i-0bbbbbbbbbbbbbbb2-x", "fallback", "not-opted-in",
            "The instance is not opted in: tag it EnaRemediate:OptIn=true (exactly, lower case) to let EnaRemediate change it.", [], Outcomes.Refused)]);

        var notification = Composer.ForStart(start, "alarm web-1-instance-check in ALARM");

        Assert.Equal("EnaRemediate: i-0bbbbbbbbbbbbbbb2 refused", notification.Subject);
        var (text, json) = Split(notification);
        Assert.StartsWith("EnaRemediate has nothing to run:", text);
        Assert.Contains("Nothing was changed.", text);
        Assert.Contains("refused (not-opted-in), nothing changed", text);
        Assert.Contains("Why: The instance is not opted in", text);
        Assert.Contains("Trigger: alarm web-1-instance-check in ALARM", text);
        Assert.Equal("start", json["kind"]!.GetValue<string>());
    }

    [Fact]
    public void A_large_fleet_lists_the_ones_needing_attention_first_and_counts_the_rest()
    {
        var records = Enumerable.Range(0, 500).Select(i => Record($"i-{i:x17}", i % 100 == 7 ? Outcomes.Failed : Outcomes.Recovered, "done")).ToArray();

        var notification = Composer.ForEnd(Finished(records));

        Assert.True(notification.Subject.Length <= NotificationComposer.MaxSubjectLength);
        Assert.Equal("EnaRemediate: 500 instances: 5 failed, 495 recovered", notification.Subject);
        var (text, json) = Split(notification);
        var listed = Regex.Matches(text, @"^i-[0-9a-f]{17}: ", RegexOptions.Multiline).Count;
        Assert.Equal(NotificationComposer.MaxInstancesInText, listed);
        Assert.Contains("i-00000000000000007: FAILED", text);
        Assert.Contains("... and 490 more instance(s) not listed here (490 recovered)", text);
        Assert.Equal(NotificationComposer.MaxInstancesInJson, json["instances"]!.AsArray().Count);
        Assert.Equal(400, json["instancesOmitted"]!.GetValue<int>());
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(notification.Message) < 256 * 1024, "SNS takes at most 256 KB");
    }

    [Fact]
    public void Subjects_fit_sns_one_ascii_line_under_100_characters_whatever_the_outcomes_are_called()
    {
        var records = Enumerable.Range(0, 7).Select(i => Record($"i-{i:x17}", $"outcome-with-a-long-name-{i}-é\n", "done")).ToArray();

        var subject = Composer.ForEnd(Finished(records)).Subject;

        Assert.InRange(subject.Length, 20, NotificationComposer.MaxSubjectLength);
        Assert.All(subject, c => Assert.InRange(c, ' ', '~'));
        Assert.EndsWith("...", subject);
    }

    [Fact]
    public void No_text_names_a_dotnet_type_and_long_reasons_are_clipped()
    {
        var longReason = string.Concat(Enumerable.Repeat("the host report could not be read ", 100));
        var notifications = new[]
        {
            Composer.ForEnd(Finished(Record("i-0123456789abcdef0", Outcomes.Failed, longReason, EnaWasOn()))),
            Composer.ForStart(new StartResult([new StartedInstance("i-0123456789abcdef0", "r-1", "fallback", null, "EBS-backed", [new PlannedCall("ec2:StopInstances", "StopInstances i-0123456789abcdef0", null)], null)]), null),
            Composer.ForStart(new StartResult([]), null),
            Composer.ForEnd(new AdvanceResult(true, 0, []) { UnknownRemediationIds = ["r-gone"] }),
            Composer.ForIgnored("The alarm is OK, not ALARM."),
        };

        foreach (var notification in notifications)
        {
            Assert.DoesNotMatch(@"\b(System|EnaRemediate|Amazon)\.[A-Z]\w*|`1|\{ \w+ = ", notification.Message + notification.Subject);
            Assert.DoesNotContain(longReason, notification.Message);
        }
        Assert.Contains("recorded change: enaSupport was on when found", notifications[0].Message);
        Assert.Contains("What it will do: EBS-backed Calls: StopInstances i-0123456789abcdef0", notifications[1].Message);
        Assert.Equal("EnaRemediate: nothing to run", notifications[2].Subject);
        Assert.Contains("1 record id(s) were not found in the store: r-gone", notifications[3].Message);
        Assert.Equal("EnaRemediate: trigger ignored, nothing to run", notifications[4].Subject);
    }
}
