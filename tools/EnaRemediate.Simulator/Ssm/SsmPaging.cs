using System.Globalization;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>SSM's NextToken pagination for the simulator's list operations: an opaque offset into the ordered rows.</summary>
internal static class SsmPaging
{
    private const string Prefix = "ssm-offset-";

    public static (List<T> Page, string? NextToken) Page<T>(IReadOnlyList<T> rows, string? token, int size)
    {
        var offset = Offset(token);
        var page = rows.Skip(offset).Take(size).ToList();
        return (page, offset + page.Count < rows.Count ? Prefix + (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null);
    }

    private static int Offset(string? token) =>
        token is null ? 0
        : token.StartsWith(Prefix, StringComparison.Ordinal) && int.TryParse(token.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o
        : throw new ApiException("InvalidNextToken", "The specified token isn't valid.");
}
