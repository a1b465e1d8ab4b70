using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Cli.Inventory;

/// <summary>
/// RFC 4180 CSV, one row per instance. A cell that a spreadsheet would run as a formula
/// (= + - @ first) is prefixed with an apostrophe: host reports are untrusted text.
/// </summary>
internal static class InventoryCsv
{
    private static readonly string[] Header =
        ["instanceId", "instanceType", "enaSupport", "typeEnaSupport", "runningKernel", "runningEna", "nextKernel", "nextEna", "dkms", "verdict", "findings"];

    public static void Write(TextWriter output, InventoryReport report)
    {
        output.WriteLine(string.Join(',', Header));
        foreach (var i in report.Instances)
        {
            string?[] cells =
            [
                i.InstanceId, i.InstanceType, i.EnaSupport ? "true" : "false", i.TypeEnaSupport, i.RunningKernel, i.RunningEna,
                i.NextKernel, i.NextEna, i.Dkms, i.Verdict.ToWireName(), string.Join(';', i.Findings.Select(f => f.Code).Distinct()),
            ];
            output.WriteLine(string.Join(',', cells.Select(Cell)));
        }
    }

    public static string Cell(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@')
        {
            text = "'" + text;
        }
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
