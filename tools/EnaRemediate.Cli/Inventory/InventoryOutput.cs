using System.Text.Json;
using EnaRemediate.Cli.Engine;
using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Cli.Inventory;

/// <summary>What --fix planned and, once it ran, how each install ended.</summary>
internal sealed record FixOutput(FixPlan Plan, bool DryRun, IReadOnlyDictionary<string, CommandOutcome>? Outcomes);

/// <summary>The inventory as text (a table, the findings, the counts), JSON (docs/inventory.md) or CSV.</summary>
internal static class InventoryOutput
{
    public static void Write(TextWriter output, string format, InventoryReport report, FixOutput? fix)
    {
        switch (format)
        {
            case "json":
                output.WriteLine(JsonSerializer.Serialize(Json(report, fix), CliJson.Options));
                break;
            case "csv":
                InventoryCsv.Write(output, report);
                break;
            default:
                WriteText(output, report, fix);
                break;
        }
    }

    public static void WritePlan(TextWriter output, FixPlan plan)
    {
        output.WriteLine($"fix plan (dry run): install the ENA driver on {plan.Targets.Count} instance(s){(plan.Targets.Count > 0 ? ": " + string.Join(", ", plan.Targets) : "")}");
        foreach (var skip in plan.Skipped)
        {
            output.WriteLine($"  leaving {skip.InstanceId} alone: {skip.Reason}");
        }
    }

    private static object Json(InventoryReport report, FixOutput? fix)
    {
        var instances = report.Instances.Select(i => new
        {
            instanceId = i.InstanceId,
            instanceType = i.InstanceType,
            enaSupport = i.EnaSupport,
            typeEnaSupport = i.TypeEnaSupport,
            runningKernel = i.RunningKernel,
            nextKernel = i.NextKernel,
            verdict = i.Verdict.ToWireName(),
            findings = i.Findings.Select(f => new
            {
                code = f.Code,
                severity = f.Severity.ToWireName(),
                impact = f.Impact.ToString(),
                kernel = f.Kernel,
                message = f.Message,
                fix = f.Fix,
            }),
        });
        if (fix is null)
        {
            return new { instances, summary = report.Summary };
        }
        return new
        {
            instances,
            summary = report.Summary,
            fix = new
            {
                dryRun = fix.DryRun,
                targets = fix.Plan.Targets,
                skipped = fix.Plan.Skipped.Select(s => new { instanceId = s.InstanceId, reason = s.Reason }),
                results = (fix.Outcomes ?? new Dictionary<string, CommandOutcome>()).Select(o => new
                {
                    instanceId = o.Key,
                    status = o.Value.Invocation?.Status,
                    problem = o.Value.Problem,
                }),
            },
        };
    }

    private static void WriteText(TextWriter output, InventoryReport report, FixOutput? fix)
    {
        var header = new[] { "INSTANCE", "TYPE", "ENA (attr/type)", "RUNNING KERNEL (ena)", "NEXT KERNEL (ena)", "DKMS", "VERDICT" };
        var rows = report.Instances.Select(i => new[]
        {
            i.InstanceId,
            i.InstanceType ?? "-",
            $"{(i.EnaSupport ? "on" : "off")}/{i.TypeEnaSupport ?? "?"}",
            Kernel(i.RunningKernel, i.RunningEna),
            Kernel(i.NextKernel, i.NextEna),
            i.Dkms ?? "-",
            i.Verdict.ToWireName(),
        }).ToList();
        var widths = header.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
        foreach (var instance in report.Instances.Where(i => i.Findings.Any(f => f.Severity >= Severity.Warning)))
        {
            output.WriteLine();
            output.WriteLine($"{instance.InstanceId} ({instance.Verdict.ToWireName()}):");
            foreach (var finding in instance.Findings.Where(f => f.Severity >= Severity.Warning))
            {
                output.WriteLine($"  [{finding.Severity.ToWireName()}] {finding.Code}: {finding.Message}");
                output.WriteLine($"      fix: {finding.Fix}");
            }
        }
        foreach (var (id, outcome) in fix?.Outcomes ?? new Dictionary<string, CommandOutcome>())
        {
            output.WriteLine($"fix {id}: {outcome.Problem ?? "driver installed"}");
        }
        var summary = report.Summary;
        output.WriteLine();
        output.WriteLine($"{summary["total"]} instance(s): " + string.Join(", ", ReadinessVerdicts.All.Select(v => $"{summary[v.ToWireName()]} {v.ToWireName()}")));
    }

    private static string Kernel(string? kernel, string? ena) => kernel is null ? "-" : $"{kernel} ({ena ?? "NO ENA"})";
}
