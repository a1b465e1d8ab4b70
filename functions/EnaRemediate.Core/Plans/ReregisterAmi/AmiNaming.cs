using System.Globalization;
using System.Text;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>The name and tags that make an ENA-disabled copy findable again (idempotency rests on them).</summary>
public static class AmiNaming
{
    public const string SourceImageTag = "EnaRemediate:SourceImage";
    public const string RemediationIdTag = "EnaRemediate:RemediationId";
    public const string Suffix = "-ena-disabled-";
    /// <summary>The image re-bundled from the fixed replacement, registered with ENA on.</summary>
    public const string EnabledSuffix = "-ena-enabled-";
    /// <summary>On the ENA-enabled image: the ENA-disabled copy whose replacement it was bundled from.</summary>
    public const string BundledFromTag = "EnaRemediate:BundledFrom";
    private const int MaxNameLength = 128;

    /// <summary>
    /// <c>&lt;original&gt;-ena-disabled-&lt;yyyyMMdd&gt;</c>. Characters EC2 does not accept in AMI
    /// names are replaced with '-', and a long original is shortened so the suffix always fits.
    /// A discriminator (the last 8 letters or digits of a remediation id) makes the name one
    /// record's own: each ENA-enabled image is the bundle of that record's replacement.
    /// </summary>
    public static string NameFor(string originalName, DateTimeOffset now, string kind = Suffix, string? discriminator = null)
    {
        var suffix = kind + now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)
            + (discriminator is null ? "" : "-" + new string(discriminator.Where(char.IsAsciiLetterOrDigit).TakeLast(8).ToArray()));
        var clean = new StringBuilder(originalName.Length);
        foreach (var c in originalName)
        {
            clean.Append(char.IsAsciiLetterOrDigit(c) || c is '(' or ')' or '[' or ']' or ' ' or '.' or '/' or '-' or '\'' or '@' or '_' ? c : '-');
        }
        var stem = clean.ToString().Trim();
        if (stem.Length == 0)
        {
            stem = "image";
        }
        return stem[..Math.Min(stem.Length, MaxNameLength - suffix.Length)] + suffix;
    }

    /// <summary>The source's own tags (minus the reserved aws: ones EC2 refuses) plus the two EnaRemediate tags.</summary>
    public static IReadOnlyDictionary<string, string> TagsFor(IReadOnlyDictionary<string, string> sourceTags, string sourceImageId, string remediationId)
    {
        var tags = sourceTags.Where(t => !t.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        tags[SourceImageTag] = sourceImageId;
        tags[RemediationIdTag] = remediationId;
        return tags;
    }
}
