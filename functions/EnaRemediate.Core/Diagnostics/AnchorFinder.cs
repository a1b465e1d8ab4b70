namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Finds which rules' anchor words occur in a line, in one pass over its characters: the line is
/// lower-cased (vectorised) into a buffer, each position's three characters form a 21-bit key, one
/// bit per key says whether any anchor starts there (256 KiB, shared), and only then are the anchors
/// of that key compared. Much cheaper than a vectorised search for ~100 words at once, and it names
/// the rules (a 64-bit mask in rule order) instead of only saying yes. Not thread-safe (one buffer):
/// each document's analyzer has its own.
/// </summary>
internal sealed class AnchorFinder
{
    private const int Ascii = 128;

    private readonly ulong[] _starts = new ulong[(1 << 21) / 64];
    private readonly Dictionary<int, (string Anchor, ulong Rules)[]> _byStart = [];
    private readonly char[] _lower = new char[BoundedLineReader.MaxLineLength + 2 * 1024];

    /// <param name="anchorsByRule">Each rule's anchor words, in rule order (at most 64 rules).</param>
    public AnchorFinder(IReadOnlyList<string[]> anchorsByRule)
    {
        if (anchorsByRule.Count > 64)
        {
            throw new ArgumentException("rule sets are kept in a 64-bit mask: at most 64 rules", nameof(anchorsByRule));
        }
        var rulesByAnchor = new Dictionary<string, ulong>(StringComparer.Ordinal);
        for (var i = 0; i < anchorsByRule.Count; i++)
        {
            foreach (var anchor in anchorsByRule[i])
            {
                if (anchor.Length < 3 || !System.Text.Ascii.IsValid(anchor))
                {
                    throw new ArgumentException($"anchor '{anchor}' must be ASCII and at least three characters", nameof(anchorsByRule));
                }
                var lower = anchor.ToLowerInvariant();
                rulesByAnchor[lower] = rulesByAnchor.GetValueOrDefault(lower) | (1UL << i);
            }
        }
        foreach (var group in rulesByAnchor.GroupBy(pair => Key(pair.Key[0], pair.Key[1], pair.Key[2])))
        {
            _byStart[group.Key] = group.Select(pair => (pair.Key, pair.Value)).ToArray();
            _starts[group.Key >> 6] |= 1UL << (group.Key & 63);
        }
    }

    /// <returns>The rules (bit i for rule i) with an anchor somewhere in the line; 0 when none.</returns>
    public ulong RulesIn(ReadOnlySpan<char> line)
    {
        var length = Math.Min(line.Length, _lower.Length);
        System.Text.Ascii.ToLower(line[..length], _lower, out _);
        var text = _lower.AsSpan(0, length);
        ulong rules = 0;
        for (var i = 0; i + 2 < text.Length; i++)
        {
            var first = text[i];
            var second = text[i + 1];
            var third = text[i + 2];
            if ((first | second | third) >= Ascii)
            {
                continue;
            }
            var key = Key(first, second, third);
            if ((_starts[key >> 6] & (1UL << (key & 63))) == 0)
            {
                continue;
            }
            var rest = text[i..];
            foreach (var (anchor, anchorRules) in _byStart[key])
            {
                if (rest.StartsWith(anchor, StringComparison.Ordinal))
                {
                    rules |= anchorRules;
                }
            }
        }
        return rules;
    }

    private static int Key(char first, char second, char third) => (first << 14) | (second << 7) | third;
}
