using System.Text;

namespace EnaRemediate.Core.Readiness;

/// <summary>
/// The one notification a scheduled inventory run sends (not one per instance): a subject with the
/// counts and a plain-text body listing each instance that needs attention with its worst finding
/// and the fix. Kept far below SNS's 256 KB: past <see cref="MaxListed"/> instances it says how many more.
/// </summary>
public static class InventoryMessage
{
    public const int MaxListed = 200;

    /// <summary>SNS subjects are at most 100 characters.</summary>
    public static string Subject(InventoryReport report)
    {
        var s = report.Summary;
        return $"EnaRemediate inventory: {s[ReadinessVerdicts.AtRiskName]} at risk, {s[ReadinessVerdicts.BrokenNowName]} broken now (of {s["total"]})";
    }

    public static string Body(InventoryReport report, DateTimeOffset at)
    {
        var s = report.Summary;
        var text = new StringBuilder()
            .Append($"EnaRemediate readiness inventory, {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {s["total"]} instance(s): ")
            .AppendLine(string.Join(", ", ReadinessVerdicts.All.Select(v => $"{s[v.ToWireName()]} {v.ToWireName()}")) + ".");
        var listed = 0;
        foreach (var (verdict, heading) in new[] { (ReadinessVerdict.BrokenNow, "Broken now (off the network):"), (ReadinessVerdict.AtRiskNextReboot, "At risk at the next reboot or kernel update:") })
        {
            var rows = report.With(verdict).ToList();
            if (rows.Count == 0)
            {
                continue;
            }
            text.AppendLine().AppendLine(heading);
            foreach (var row in rows)
            {
                if (listed++ == MaxListed)
                {
                    text.AppendLine($"  … and {report.Instances.Count(r => r.Verdict is ReadinessVerdict.BrokenNow or ReadinessVerdict.AtRiskNextReboot) - MaxListed} more (see the inventory items in the table)");
                    break;
                }
                var worst = row.Findings.OrderByDescending(f => f.Impact).ThenByDescending(f => f.Severity).First();
                text.AppendLine($"  {row.InstanceId} ({row.InstanceType ?? "?"}, next kernel {row.NextKernel ?? "?"}): {worst.Message}");
                text.AppendLine($"      fix: {worst.Fix}");
            }
        }
        return text.ToString();
    }
}
