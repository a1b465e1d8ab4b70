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
    public static string Subject(InventoryReport report, AutoFixRun? fix = null)
    {
        var s = report.Summary;
        var sent = fix?.Sent.Count(r => r.CommandId is not null) ?? 0;
        return $"EnaRemediate inventory: {s[ReadinessVerdicts.AtRiskName]} at risk, {s[ReadinessVerdicts.BrokenNowName]} broken now (of {s["total"]})"
            + (sent > 0 ? $"; driver install sent to {sent}" : "");
    }

    /// <param name="fix">The run's auto-fix, when the deployment has it on; null: off.</param>
    public static string Body(InventoryReport report, DateTimeOffset at, AutoFixRun? fix = null)
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
        if (fix is not null)
        {
            AppendAutoFix(text, fix);
        }
        return text.ToString();
    }

    private static void AppendAutoFix(StringBuilder text, AutoFixRun fix)
    {
        text.AppendLine();
        if (fix.Problem is not null)
        {
            text.AppendLine($"Auto-fix could not run: {fix.Problem}. Nothing was sent.");
        }
        else if (fix.DryRun)
        {
            text.AppendLine($"Auto-fix (dry run, nothing sent): would install the managed ENA driver on {fix.Targets.Count} at-risk opted-in instance(s): {Ids(fix.Targets)}");
        }
        else if (fix.Sent.Count == 0)
        {
            text.AppendLine("Auto-fix: no at-risk opted-in instance to install the driver on.");
        }
        else
        {
            text.AppendLine($"Auto-fix: EnaRemediate-InstallDriver (DKMS for every installed kernel; no stop, no reboot) sent to {fix.Sent.Count(r => r.CommandId is not null)} at-risk opted-in instance(s); the next run shows the result:");
            foreach (var row in fix.Sent.Take(MaxListed))
            {
                text.AppendLine(row.CommandId is { } command ? $"  {row.InstanceId}: command {command}" : $"  {row.InstanceId}: not sent: {row.Problem}");
            }
        }
        foreach (var skip in fix.Skipped.Take(MaxListed))
        {
            text.AppendLine($"  left alone: {skip.InstanceId}: {skip.Reason}");
        }
    }

    private static string Ids(IReadOnlyList<string> ids) =>
        string.Join(", ", ids.Take(MaxListed)) + (ids.Count > MaxListed ? $" … and {ids.Count - MaxListed} more" : "");
}
