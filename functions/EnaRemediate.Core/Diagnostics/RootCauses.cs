namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Names the likely root cause beside the verdict (never changing it): soft lockups, RCU stalls or a
/// starved NAPI handler next to missing TX completions or TX timeouts point at CPU starvation; EC2
/// allowance shaping next to missing TX completions points at traffic above the instance's allowance. Attributed
/// once, over all inputs, when the diagnosis is made.
/// </summary>
internal sealed class RootCauses
{
    private readonly List<Evidence> _starvation = [];
    private long _starvationCount;
    private bool _attributed;

    public void NoteStarvation(string input, int line, ReadOnlySpan<char> text)
    {
        _starvationCount++;
        if (_starvation.Count < FindingCollector.MaxEvidence)
        {
            _starvation.Add(new Evidence(input, line, FindingCollector.EvidenceText(text)));
        }
    }

    public void Attribute(FindingCollector findings)
    {
        if (_attributed)
        {
            return;
        }
        _attributed = true;
        var missingCompletions = findings.Has(FindingCodes.MissingTxCompletions);
        if (_starvationCount > 0 && (missingCompletions || findings.Has(FindingCodes.TxTimeout)))
        {
            findings.AddMany(FindingCodes.CpuStarvation, _starvation, _starvationCount, FindingEffect.Advice, Severity.Warning);
        }
        // Shaping drops or delays packets the device was given; completions then go missing. A TX
        // timeout counter alone is too old a fact (cumulative since load) to blame on shaping.
        if (missingCompletions && findings.Has(FindingCodes.AllowanceExceeded))
        {
            findings.AddMany(FindingCodes.TrafficShaping, findings.EvidenceOf(FindingCodes.AllowanceExceeded).ToArray(),
                findings.OccurrencesOf(FindingCodes.AllowanceExceeded), FindingEffect.Advice, Severity.Warning);
        }
    }
}
