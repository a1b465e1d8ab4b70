using System.Globalization;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// Where the engine's time went (stderr only): for each plan, the mean and the longest seconds
/// its records spent in each step, in the order the plan takes them, read from the records'
/// audit history. Set beside the floor's path, it shows which phase a gap is in.
/// </summary>
internal static class StepTimes
{
    public static IEnumerable<string> Lines(IReadOnlyList<RemediationRecord> records) =>
        records.GroupBy(r => r.Plan).OrderBy(g => g.Key, StringComparer.Ordinal).Select(plan =>
        {
            var spans = plan.SelectMany(Spans).ToList();
            var steps = spans.Select(s => s.Step).Distinct().Select(step =>
            {
                var seconds = spans.Where(s => s.Step == step).Select(s => s.Seconds).ToList();
                return string.Create(CultureInfo.InvariantCulture, $"{step} {seconds.Average():0.#}/{seconds.Max():0.#}");
            });
            var slowest = plan.Max(r => (r.UpdatedAt - r.CreatedAt).TotalSeconds);
            return string.Create(CultureInfo.InvariantCulture, $"engine steps, {plan.Key} ({plan.Count()} records, the last done after {slowest:0} s), mean/max s: {string.Join(", ", steps)}");
        });

    // Each step's time: from its first history entry to the next step's first (or the record's end).
    private static IEnumerable<(string Step, double Seconds)> Spans(RemediationRecord record)
    {
        var firsts = record.History.Where(h => h.Step != RemediationRecord.InitialStep)
            .Aggregate(new List<HistoryEntry>(), (list, h) => { if (list.Count == 0 || list[^1].Step != h.Step) { list.Add(h); } return list; });
        for (var n = 0; n < firsts.Count; n++)
        {
            var end = n + 1 < firsts.Count ? firsts[n + 1].At : record.UpdatedAt;
            yield return (firsts[n].Step, (end - firsts[n].At).TotalSeconds);
        }
    }
}
