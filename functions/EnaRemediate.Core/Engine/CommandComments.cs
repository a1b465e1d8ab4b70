namespace EnaRemediate.Core.Engine;

/// <summary>
/// The Comment every engine SendCommand carries: the steps it serves ("EnaRemediate validate-install,validate-final").
/// Adoption reads it back, so a command sent for one step (validate-install's host report) is never
/// taken for another step's of the same document, whatever the clocks of the engine and SSM say.
/// </summary>
public static class CommandComments
{
    private const string Prefix = "EnaRemediate ";

    /// <summary>SSM's limit on a command's Comment.</summary>
    private const int MaxLength = 100;

    public static string For(IEnumerable<string> steps)
    {
        var comment = Prefix + string.Join(",", steps.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return comment.Length <= MaxLength ? comment : comment[..MaxLength];
    }

    /// <summary>The comment names this step (a cut comment names only the steps it still holds whole).</summary>
    public static bool Names(string? comment, string step) =>
        comment is not null && comment.StartsWith(Prefix, StringComparison.Ordinal)
        && comment[Prefix.Length..].Split(',').Contains(step, StringComparer.Ordinal);
}
