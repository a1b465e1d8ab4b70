using System.Text.RegularExpressions;
using EnaRemediate.Core.Readiness;

namespace EnaRemediate.Cli.Inventory;

/// <summary>--tag KEY=VALUE (or KEY): checked against EC2's tag rules before any call is made.</summary>
internal static partial class TagArguments
{
    public static IReadOnlyList<TagFilter> Parse(IEnumerable<string> values) => values.Select(ParseOne).ToList();

    private static TagFilter ParseOne(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var key = equals < 0 ? text : text[..equals];
        var value = equals < 0 ? null : text[(equals + 1)..];
        if (!KeyPattern().IsMatch(key))
        {
            throw new ArgumentException($"--tag '{text}': the key must be 1-128 letters, digits, spaces or _ . : / = + - @");
        }
        if (value is not null && (value.Length > 256 || value.Any(char.IsControl)))
        {
            throw new ArgumentException($"--tag '{key}=…': the value must be at most 256 printable characters");
        }
        return new TagFilter(key, value);
    }

    [GeneratedRegex(@"^[\p{L}\p{N} _.:/+\-@]{1,128}$")]
    private static partial Regex KeyPattern();
}
