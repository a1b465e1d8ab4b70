using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EnaRemediate.Core.Engine;
using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>
/// driver/ena-driver.json pins the upstream release by commit, tree and the digest of its
/// `git archive` tar stream; pin-release.sh writes such a pin from a tag, package-release.sh checks
/// a tag against its pin before uploading it, and the engine defaults to the pin. The scripts run
/// here against a local git repository holding the real ENA source in the upstream layout.
/// </summary>
[Collection(RealSystemCollection.Name)]
public sealed class ManifestTests(UpstreamArchives archives) : IDisposable
{
    // FACTS.md §2: read from the amzn/amzn-drivers repository itself (git 2.39).
    private const string PinnedCommit = "46e50d6265ef6669877610549205973955748039";
    private const string PinnedTree = "b78117ab9a8dc90a05180f682ea0854ec855fb4b";
    private const string PinnedTarSha256 = "fc7293dc7c8cf6421bdc09b1b65150b33d6c53bc76c491b3d97583e2f5e80326";

    private readonly string _work = Directory.CreateTempSubdirectory("enaremediate-manifest-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string ManifestPath => Path.Combine(RepoPaths.Driver, "ena-driver.json");

    private static JsonNode Release(string path) => JsonNode.Parse(File.ReadAllText(path))!["release"]!;

    [Fact]
    public void TheManifestPins2161ByCommitTreeAndTarStreamDigest()
    {
        var release = Release(ManifestPath);
        Assert.Equal("ena_linux_2.16.1", release["tag"]!.GetValue<string>());
        Assert.Equal("2.16.1", release["version"]!.GetValue<string>());
        Assert.Equal("2.16.1g", release["moduleVersion"]!.GetValue<string>());
        Assert.Equal(PinnedCommit, release["commit"]!.GetValue<string>());
        Assert.Equal(PinnedTree, release["tree"]!.GetValue<string>());
        Assert.Equal(PinnedTarSha256, release["sha256"]!.GetValue<string>());
        Assert.Contains("git archive --format=tar --prefix=amzn-drivers-ena_linux_2.16.1/ ena_linux_2.16.1", release["sha256Of"]!.GetValue<string>());
        Assert.Equal("https://github.com/amzn/amzn-drivers/archive/refs/tags/ena_linux_2.16.1.tar.gz", release["archiveUrl"]!.GetValue<string>());
        Assert.Equal("amzn-drivers-ena_linux_2.16.1", release["archiveTopDirectory"]!.GetValue<string>());
        Assert.Equal("ena_linux_2.16.1.tar.gz", release["packagedArchive"]!.GetValue<string>());
        Assert.Null(release["sha256Note"]);
    }

    [Fact]
    public void TheEngineDefaultsToThePinSoNoDigestFlagIsNeeded()
    {
        var release = Release(ManifestPath);
        Assert.Equal(new PinnedDriverRelease(release["tag"]!.GetValue<string>(), release["version"]!.GetValue<string>(), PinnedCommit, PinnedTree,
            PinnedTarSha256, release["archiveUrl"]!.GetValue<string>()), PinnedDriverRelease.Current);

        var defaults = new EngineOptions();
        Assert.Null(defaults.DriverConfigurationProblem);
        Assert.Equal([PinnedTarSha256], defaults.InstallParameters["Sha256"]);
        Assert.Equal(["2.16.1"], defaults.InstallParameters["Version"]);

        // The S3 copy package-release.sh made is the same release: it keeps the pinned digest.
        var s3Copy = defaults.WithDriver(sourceArchive: "s3://my-stack-bucket/ena/ena_linux_2.16.1.tar.gz");
        Assert.Null(s3Copy.DriverConfigurationProblem);
        Assert.Equal([PinnedTarSha256], s3Copy.InstallParameters["Sha256"]);

        // Another version cannot match the pin: without its own digest the plan is refused up front.
        var other = defaults.WithDriver(version: "2.17.0");
        Assert.False(other.InstallParameters.ContainsKey("Sha256"));
        Assert.Contains("Sha256 is not configured", other.DriverConfigurationProblem);
        Assert.Null(defaults.WithDriver(new string('b', 64), version: "2.17.0").DriverConfigurationProblem);
    }

    /// <summary>A git repository whose tag TAG holds the archive's source, as amzn/amzn-drivers does.</summary>
    private string GitRepositoryWithTag(UpstreamArchive archive, string tag)
    {
        var repo = Directory.CreateDirectory(Path.Combine(_work, "amzn-drivers")).FullName;
        Shell.Check("tar", "-xzf", archive.Path, "-C", repo, "--strip-components=1");
        Git(repo, "init", "--quiet");
        Git(repo, "add", "-A");
        Git(repo, "commit", "--quiet", "-m", $"ENA Linux driver {archive.Version}");
        Git(repo, "tag", "-a", tag, "-m", tag);
        return repo;
    }

    private static string Git(string repo, params string[] arguments) =>
        Shell.Check("git", ["-C", repo, "-c", "user.name=EnaRemediate tests", "-c", "user.email=tests@enaremediate.invalid", .. arguments]).Trim();

    private static string TarStreamOf(string repo, string tag)
    {
        var tar = Shell.Run("sh", "-c", "git -C \"$0\" archive --format=tar --prefix=\"amzn-drivers-$1/\" \"$1\" | sha256sum", repo, tag);
        Assert.True(tar.ExitCode == 0, tar.ToString());
        return tar.Stdout.Split(' ')[0];
    }

    private ShellResult PinRelease(string version, string repo, string manifest) =>
        Shell.Run(Path.Combine(RepoPaths.Driver, "pin-release.sh"), version, "--repo", repo, "--manifest", manifest);

    private ShellResult PackageRelease(string manifest, string repo, string prefix) =>
        Shell.Run(Path.Combine(RepoPaths.Driver, "package-release.sh"),
            ["--bucket", S3Server.Bucket, "--prefix", prefix, "--repo", repo, "--manifest", manifest], archives.S3.Environment);

    private string PinnedCopy(string repo, UpstreamArchive archive)
    {
        var manifest = Path.Combine(_work, "ena-driver.json");
        File.Copy(ManifestPath, manifest, overwrite: true);
        var pinned = PinRelease(archive.Version, repo, manifest);
        Assert.True(pinned.ExitCode == 0, pinned.ToString());
        return manifest;
    }

    private bool InS3(string key) =>
        Shell.Run("aws", ["s3api", "head-object", "--bucket", S3Server.Bucket, "--key", key], archives.S3.Environment).ExitCode == 0;

    [Fact]
    public void PinReleaseWritesCommitTreeAndTarDigestOfTheTagAfterCheckingTheDeclaredVersion()
    {
        var archive = archives.Good;
        var repo = GitRepositoryWithTag(archive, $"ena_linux_{archive.Version}");
        // A tag whose name promises another version than its source declares.
        Git(repo, "tag", "ena_linux_2.1.5");
        var manifest = Path.Combine(_work, "ena-driver.json");
        File.Copy(ManifestPath, manifest);

        var wrong = PinRelease("2.1.5", repo, manifest);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("declares version '2.1.0'", wrong.Stderr);
        Assert.Equal(File.ReadAllText(ManifestPath), File.ReadAllText(manifest));

        var pinned = PinRelease(archive.Version, repo, manifest);
        Assert.True(pinned.ExitCode == 0, pinned.ToString());
        var release = Release(manifest);
        Assert.Equal(Git(repo, "rev-parse", $"ena_linux_{archive.Version}^{{commit}}"), release["commit"]!.GetValue<string>());
        Assert.Equal(Git(repo, "rev-parse", $"ena_linux_{archive.Version}^{{tree}}"), release["tree"]!.GetValue<string>());
        Assert.Equal(TarStreamOf(repo, $"ena_linux_{archive.Version}"), release["sha256"]!.GetValue<string>());
        Assert.Equal($"ena_linux_{archive.Version}", release["tag"]!.GetValue<string>());
        Assert.Equal($"{archive.Version}g", release["moduleVersion"]!.GetValue<string>());
        Assert.Equal($"ena_linux_{archive.Version}.tar.gz", release["packagedArchive"]!.GetValue<string>());
    }

    [Fact]
    public void PackageReleaseUploadsATagThatMatchesItsPinAndHostsAcceptWhatItUploaded()
    {
        var archive = archives.Good;
        var repo = GitRepositoryWithTag(archive, $"ena_linux_{archive.Version}");
        var manifest = PinnedCopy(repo, archive);

        var packaged = PackageRelease(manifest, repo, "ena");
        Assert.True(packaged.ExitCode == 0, packaged.ToString());
        var url = $"s3://{S3Server.Bucket}/ena/ena_linux_{archive.Version}.tar.gz";
        Assert.Equal($"DriverSourceArchive={url}", packaged.LastLine);

        // What a host does with it: download, gunzip, hash the tar stream against the pin, unpack.
        var root = Path.Combine(_work, "root");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        Directory.CreateDirectory(Path.Combine(root, "lib", "modules", "6.1.0-26-cloud-amd64"));
        File.Copy(Path.Combine(RepoPaths.Bats, "os-release", "debian-12"), Path.Combine(root, "etc", "os-release"));
        var install = Shell.Run(RepoPaths.InstallScript,
            ["--source-archive", url, "--sha256", Release(manifest)["sha256"]!.GetValue<string>(), "--version", archive.Version, "--root", root, "--dry-run"],
            archives.S3.With(new Dictionary<string, string?> { ["ENAREMEDIATE_PACKAGES"] = "never", ["ENA_LOCK_FILE"] = Path.Combine(_work, "lock") }));
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Equal("dry-run", install.InstallResult().Status);
        Assert.Equal(archive.Version, install.InstallResult().Version);
    }

    [Theory]
    [InlineData("commit", "the pin says")]
    [InlineData("tree", "the pin says")]
    [InlineData("sha256", "the pin says")]
    public void PackageReleaseRefusesATagThatDoesNotMatchItsPinAndUploadsNothing(string field, string message)
    {
        var archive = archives.Good;
        var repo = GitRepositoryWithTag(archive, $"ena_linux_{archive.Version}");
        var manifest = PinnedCopy(repo, archive);
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        var pinned = json["release"]![field]!.GetValue<string>();
        json["release"]![field] = (pinned[0] == '0' ? "1" : "0") + pinned[1..];
        File.WriteAllText(manifest, json.ToJsonString());

        var prefix = $"refused-{field}";
        var packaged = PackageRelease(manifest, repo, prefix);
        Assert.Equal(1, packaged.ExitCode);
        Assert.Contains("refused", packaged.Stderr);
        Assert.Contains(message, packaged.Stderr);
        Assert.False(InS3($"{prefix}/ena_linux_{archive.Version}.tar.gz"));
    }

    [Fact]
    public void PackageReleaseRefusesATagMovedToAnotherCommit()
    {
        var archive = archives.Good;
        var tag = $"ena_linux_{archive.Version}";
        var repo = GitRepositoryWithTag(archive, tag);
        var manifest = PinnedCopy(repo, archive);
        // Someone re-tags the release with a changed source: same name, different content.
        File.AppendAllText(Path.Combine(repo, "kernel", "linux", "ena", "ena_netdev.c"), "\n/* changed after the release */\n");
        Git(repo, "commit", "--quiet", "-am", "changed");
        Git(repo, "tag", "-f", "-a", tag, "-m", tag);

        var packaged = PackageRelease(manifest, repo, "moved");
        Assert.Equal(1, packaged.ExitCode);
        Assert.Contains($"refused: {tag} is commit", packaged.Stderr);
        Assert.False(InS3($"moved/{tag}.tar.gz"));
    }

    [Fact]
    public void TheTarStreamDigestDoesNotDependOnTheCompressor()
    {
        // Hosts hash the gunzipped stream: two gzip encodings of one tar share the digest the pin names.
        var archive = archives.Good;
        var tar = Path.Combine(_work, "release.tar");
        Shell.Check("sh", "-c", "gzip -dc \"$0\" >\"$1\" && gzip -9 -c \"$1\" >\"$1.9.gz\"", archive.Path, tar);
        Assert.NotEqual(File.ReadAllBytes(archive.Path), File.ReadAllBytes(tar + ".9.gz"));
        Assert.Equal(archive.Sha256, UpstreamArchives.TarStreamSha256(tar + ".9.gz"));
        using var stream = File.OpenRead(tar);
        Assert.Equal(archive.Sha256, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }
}
