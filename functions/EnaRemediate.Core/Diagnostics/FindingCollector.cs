namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Merges occurrences into one finding per code. Memory stays bounded on huge logs: only the
/// first <see cref="MaxEvidence"/> lines of a code are kept, the rest are only counted.
/// </summary>
internal sealed class FindingCollector
{
    public const int MaxEvidence = 5;
    public const int MaxEvidenceTextLength = 400;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Lines that may name a root cause; judged against the other findings when the diagnosis is made.</summary>
    public RootCauses Causes { get; } = new();

    public void Add(string code, Evidence evidence, FindingEffect effect, Severity severity = Severity.Info) =>
        AddMany(code, [evidence], 1, effect, severity);

    /// <summary>
    /// One occurrence read from a line. The evidence string is made only while the finding still keeps
    /// evidence, so a message repeated a million times in a huge log costs no allocation after the fifth.
    /// </summary>
    public void Add(string code, string input, int line, ReadOnlySpan<char> text, FindingEffect effect, Severity severity = Severity.Info)
    {
        var entry = Update(code, 1, effect, severity);
        if (entry.Evidence.Count < MaxEvidence)
        {
            entry.Evidence.Add(new Evidence(input, line, EvidenceText(text)));
        }
    }

    /// <summary>The kept evidence of a code (empty when there is no such finding).</summary>
    public IReadOnlyList<Evidence> EvidenceOf(string code) => _entries.TryGetValue(code, out var entry) ? entry.Evidence : [];

    public long OccurrencesOf(string code) => _entries.TryGetValue(code, out var entry) ? entry.Occurrences : 0;

    /// <summary>Log text as evidence: cut at <see cref="MaxEvidenceTextLength"/> characters.</summary>
    public static string EvidenceText(ReadOnlySpan<char> text) =>
        text.Length <= MaxEvidenceTextLength ? text.ToString() : string.Concat(text[..MaxEvidenceTextLength], "…");

    /// <summary>Several kept lines that stand for <paramref name="occurrences"/> matching lines in all.</summary>
    public void AddMany(string code, IReadOnlyList<Evidence> evidence, long occurrences, FindingEffect effect, Severity severity)
    {
        var entry = Update(code, occurrences, effect, severity);
        foreach (var line in evidence)
        {
            if (entry.Evidence.Count >= MaxEvidence)
            {
                break;
            }
            entry.Evidence.Add(Trim(line));
        }
    }

    public bool Has(string code) => _entries.ContainsKey(code);

    public FindingEffect Strongest => _entries.Count == 0 ? FindingEffect.Advice : _entries.Values.Max(e => e.Effect);

    public Diagnosis ToDiagnosis(IReadOnlyList<InputInfo> inputs)
    {
        Causes.Attribute(this);
        var findings = _order
            .Select(code => (code, entry: _entries[code]))
            .OrderByDescending(x => (int)x.entry.Effect) // worst first; stable within an effect
            .Select(x => new Finding(
                x.code,
                (Severity)Math.Max((int)x.entry.Severity, (int)x.entry.Effect.MinimumSeverity()),
                x.entry.Evidence.ToArray(),
                FindingAdvice.For(x.code)) { Occurrences = x.entry.Occurrences })
            .ToArray();
        return new Diagnosis(Strongest.ToVerdict(), findings, inputs);
    }

    private Entry Update(string code, long occurrences, FindingEffect effect, Severity severity)
    {
        var entry = Get(code);
        entry.Effect = (FindingEffect)Math.Max((int)entry.Effect, (int)effect);
        entry.Severity = (Severity)Math.Max((int)entry.Severity, (int)severity);
        entry.Occurrences += occurrences;
        return entry;
    }

    private Entry Get(string code)
    {
        if (!_entries.TryGetValue(code, out var entry))
        {
            entry = new Entry();
            _entries[code] = entry;
            _order.Add(code);
        }
        return entry;
    }

    private static Evidence Trim(Evidence evidence) =>
        evidence.Text.Length <= MaxEvidenceTextLength
            ? evidence
            : evidence with { Text = evidence.Text[..MaxEvidenceTextLength] + "…" };

    private sealed class Entry
    {
        public FindingEffect Effect;
        public Severity Severity;
        public long Occurrences;
        public readonly List<Evidence> Evidence = [];
    }
}
