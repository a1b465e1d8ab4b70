using System.Text.RegularExpressions;
using EnaRemediate.Functions.Handlers;

namespace EnaRemediate.Functions.Intake;

/// <summary>EC2 instance ids as EC2 issues them: i- and 8 or 17 lowercase hex digits, nothing else.</summary>
public static partial class InstanceIds
{
    /// <summary>
    /// Instances one request may name: one workflow's records, the same ceiling a sweep's workflow
    /// carries, so a named request goes through the same fan-out in one pass. Why its state fits
    /// Step Functions' 256 KiB: <see cref="IntakeAnswer"/>.
    /// </summary>
    public const int MaxPerRequest = SweepHandler.MaxPerWorkflow;

    /// <summary>Ids named in a reason: a person reads the first few, the count says the rest (a 4,000-id list would fill the workflow's state).</summary>
    private const int NamedInReason = 10;

    [GeneratedRegex("^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>"i-a, i-b" for a few ids; the first <see cref="NamedInReason"/> and "and N more" for many.</summary>
    public static string Listed(IReadOnlyCollection<string> ids) => Listed(ids, ", ", "instances");

    /// <summary>The first <see cref="NamedInReason"/> items joined by <paramref name="separator"/>, then how many more <paramref name="what"/> there are.</summary>
    public static string Listed(IReadOnlyCollection<string> items, string separator, string what) => items.Count <= NamedInReason
        ? string.Join(separator, items)
        : $"{string.Join(separator, items.Take(NamedInReason))} and {items.Count - NamedInReason} more ({items.Count} {what})";

    /// <summary>Shortens and strips control characters and surrogates so a hostile value can be quoted in a reason (and serialised) safely.</summary>
    public static string Quote(string? value)
    {
        if (value is null) return "null";
        var clean = new string(value.Take(40).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c).ToArray());
        return "'" + clean + (value.Length > 40 ? "…" : "") + "'";
    }
}
