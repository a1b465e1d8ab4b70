namespace EnaRemediate.Core.Readiness;

/// <summary>The inventory of a fleet: one row per instance, worst verdict first, and the counts per verdict.</summary>
public sealed record InventoryReport(IReadOnlyList<InstanceReadiness> Instances)
{
    /// <summary>Every verdict's count (zeros included) and the total, keyed by wire name.</summary>
    public IReadOnlyDictionary<string, int> Summary
    {
        get
        {
            var summary = new Dictionary<string, int>(StringComparer.Ordinal) { ["total"] = Instances.Count };
            foreach (var verdict in ReadinessVerdicts.All)
            {
                summary[verdict.ToWireName()] = Instances.Count(i => i.Verdict == verdict);
            }
            return summary;
        }
    }

    public IEnumerable<InstanceReadiness> With(ReadinessVerdict verdict) => Instances.Where(i => i.Verdict == verdict);
}
