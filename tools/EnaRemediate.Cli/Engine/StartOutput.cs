using EnaRemediate.Core.Engine;

namespace EnaRemediate.Cli.Engine;

/// <summary>Text for triage answers: the plan or refusal of each instance and the calls it would make.</summary>
internal static class StartOutput
{
    /// <param name="observed">what was seen of the instance (its checks), printed under the headline.</param>
    public static void WriteTriage(TextWriter output, string instanceId, string plan, string? refusalCode, string? reason, IReadOnlyList<PlannedCall> calls, string? observed = null)
    {
        output.WriteLine(refusalCode is null ? $"{instanceId}: {plan}" : $"{instanceId}: refused ({refusalCode}), plan would be {plan}");
        if (observed is not null)
        {
            output.WriteLine($"  {observed}");
        }
        if (reason is not null)
        {
            output.WriteLine($"  {reason}");
        }
        for (var i = 0; i < calls.Count; i++)
        {
            output.WriteLine($"  {i + 1,2}. {calls[i]}");
        }
    }
}
