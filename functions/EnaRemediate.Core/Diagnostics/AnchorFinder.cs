namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Finds which rules' anchor words occur in a line, in one pass over its characters: each position's
/// two (ASCII, lower-cased) characters index a table of the anchors that start with them, and only
/// those are compared. Much cheaper than a vectorised search for ~100 words at once, and it names
/// the rules (a 64-bit mask in rule order) instead of only saying yes.
/// </summary>
internal sealed class AnchorFinder
{
    private const int Ascii = 128;

    private readonly (string Anchor, ulong Rules)[]?[] _byPair = new (string, ulong)[]?[Ascii * Ascii];

    /// <param name="anchorsByRule">Each rule's anchor words, in rule order (at most 64 rules).</param>
    public AnchorFinder(IReadOnlyList<string[]> anchorsByRule)
    {
        if (anchorsByRule.Count > 64)
        {
            throw new ArgumentException("rule sets are kept in a 64-bit mask: at most 64 rules", nameof(anchorsByRule));
        }
        var rulesByAnchor = new Dictionary<string, ulong>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < anchorsByRule.Count; i++)
        {
            foreach (var anchor in anchorsByRule[i])
            {
                if (anchor.Length < 2 || !System.Text.Ascii.IsValid(anchor))
                {
                    throw new ArgumentException($"anchor '{anchor}' must be ASCII and at least two characters", nameof(anchorsByRule));
                }
                rulesByAnchor[anchor] = rulesByAnchor.GetValueOrDefault(anchor) | (1UL << i);
            }
        }
        foreach (var group in rulesByAnchor.GroupBy(pair => Key(pair.Key[0], pair.Key[1])))
        {
            _byPair[group.Key] = group.Select(pair => (pair.Key, pair.Value)).ToArray();
        }
    }

    /// <returns>The rules (bit i for rule i) with an anchor somewhere in the line; 0 when none.</returns>
    public ulong RulesIn(ReadOnlySpan<char> line)
    {
        ulong rules = 0;
        for (var i = 0; i + 1 < line.Length; i++)
        {
            var first = line[i];
            var second = line[i + 1];
            if (first >= Ascii || second >= Ascii || _byPair[Key(first, second)] is not { } anchors)
            {
                continue;
            }
            var rest = line[i..];
            foreach (var (anchor, anchorRules) in anchors)
            {
                if (rest.StartsWith(anchor, StringComparison.OrdinalIgnoreCase))
                {
                    rules |= anchorRules;
                }
            }
        }
        return rules;
    }

    private static int Key(char first, char second) => (Lower(first) * Ascii) + Lower(second);

    private static int Lower(char c) => c is >= 'A' and <= 'Z' ? c | 0x20 : c;
}
