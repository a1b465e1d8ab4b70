using System.Text.RegularExpressions;

namespace EnaRemediate.Functions.Intake;

/// <summary>EC2 instance ids as EC2 issues them: i- and 8 or 17 lowercase hex digits, nothing else.</summary>
public static partial class InstanceIds
{
    /// <summary>One workflow's batch; keeps Step Functions state far below its 256 KB limit.</summary>
    public const int MaxPerRequest = 200;

    [GeneratedRegex("^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>Shortens and strips control characters and surrogates so a hostile value can be quoted in a reason (and serialised) safely.</summary>
    public static string Quote(string? value)
    {
        if (value is null) return "null";
        var clean = new string(value.Take(40).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c).ToArray());
        return "'" + clean + (value.Length > 40 ? "…" : "") + "'";
    }
}
