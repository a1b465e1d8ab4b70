using System.Text.Json;
using System.Text.RegularExpressions;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// The ENA release driver/ena-driver.json pins, embedded into this assembly at build time, so the
/// engine, the CLI and the functions default the install's archive, digest and version from the one
/// manifest the SSM documents are generated from. <see cref="Sha256"/> is the digest of the
/// release's uncompressed tar stream (`git archive` of the tag), which every host checks before it
/// unpacks anything.
/// </summary>
public sealed partial record PinnedDriverRelease(string Tag, string Version, string Commit, string Tree, string Sha256, string ArchiveUrl)
{
    public const string ResourceName = "EnaRemediate.ena-driver.json";

    public static PinnedDriverRelease Current { get; } = Load();

    private static PinnedDriverRelease Load()
    {
        using var stream = typeof(PinnedDriverRelease).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in {typeof(PinnedDriverRelease).Assembly.GetName().Name}");
        using var manifest = JsonDocument.Parse(stream);
        var release = manifest.RootElement.GetProperty("release");
        string Field(string name) => release.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()! : throw new InvalidOperationException($"driver/ena-driver.json has no release.{name}");
        var pinned = new PinnedDriverRelease(Field("tag"), Field("version"), Field("commit"), Field("tree"), Field("sha256"), Field("archiveUrl"));
        if (!Sha256Pattern().IsMatch(pinned.Sha256) || !GitIdPattern().IsMatch(pinned.Commit) || !GitIdPattern().IsMatch(pinned.Tree)
            || pinned.Tag != $"ena_linux_{pinned.Version}")
        {
            throw new InvalidOperationException($"driver/ena-driver.json pins {pinned} inconsistently");
        }
        return pinned;
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex GitIdPattern();
}
