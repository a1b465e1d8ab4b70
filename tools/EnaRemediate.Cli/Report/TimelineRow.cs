using EnaRemediate.Core.Engine;

namespace EnaRemediate.Cli.Report;

/// <summary>One instance in the timeline report: how it ended, and the steps its record went through on the time axis.</summary>
internal sealed record TimelineRow(string InstanceId, string Subtitle, string Outcome, string? Reason, IReadOnlyList<TimelineStep> Steps, IReadOnlyList<HistoryEntry> History)
{
    /// <summary>
    /// The record's steps from its audit log: each run of entries in one step is a bar from its first
    /// entry to the next step's first entry (the last one to the record's end, or now while it runs).
    /// <paramref name="callsBetween"/> counts the instance's AWS calls in a time span, where they were counted.
    /// </summary>
    public static TimelineRow From(RemediationRecord record, string subtitle, DateTimeOffset now, Func<DateTimeOffset, DateTimeOffset, double>? callsBetween)
    {
        var groups = new List<(string Step, List<HistoryEntry> Entries)>();
        foreach (var entry in record.History)
        {
            if (groups.Count == 0 || groups[^1].Step != entry.Step)
            {
                groups.Add((entry.Step, []));
            }
            groups[^1].Entries.Add(entry);
        }
        var end = record.IsFinished ? record.UpdatedAt : now;
        var steps = groups.Select((g, i) =>
        {
            var start = g.Entries[0].At;
            var stop = i + 1 < groups.Count ? groups[i + 1].Entries[0].At : end;
            return new TimelineStep(g.Step == RemediationRecord.InitialStep ? "triage" : g.Step, start, stop < start ? start : stop,
                callsBetween?.Invoke(start, i + 1 < groups.Count ? stop : DateTimeOffset.MaxValue), g.Entries.Select(e => e.Event).ToList());
        }).ToList();
        return new TimelineRow(record.InstanceId, subtitle, record.Outcome ?? "running: " + record.Step, record.OutcomeReason, steps, record.History);
    }

    /// <summary>An instance without a record (healthy: nothing was started).</summary>
    public static TimelineRow Without(string instanceId, string subtitle, string outcome, string reason) => new(instanceId, subtitle, outcome, reason, [], []);
}

/// <summary>One bar: a step, its time span, the calls made during it (null where calls were not counted) and its events.</summary>
internal sealed record TimelineStep(string Name, DateTimeOffset Start, DateTimeOffset End, double? Calls, IReadOnlyList<string> Events);
