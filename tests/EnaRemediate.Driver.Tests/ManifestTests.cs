using System.Text.Json.Nodes;
using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>driver/ena-driver.json pins the upstream release; pin-release.sh fills it from a real archive.</summary>
[Collection(RealSystemCollection.Name)]
public sealed class ManifestTests(UpstreamArchives archives) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("enaremediate-manifest-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static JsonNode Release(string path) => JsonNode.Parse(File.ReadAllText(path))!["release"]!;

    [Fact]
    public void TheManifestPinsAReleaseConsistentlyAndNeverFakesADigest()
    {
        var release = Release(Path.Combine(RepoPaths.Driver, "ena-driver.json"));
        var version = release["version"]!.GetValue<string>();
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        Assert.Equal($"ena_linux_{version}", release["tag"]!.GetValue<string>());
        Assert.Equal($"{version}g", release["moduleVersion"]!.GetValue<string>());
        Assert.Equal($"https://github.com/amzn/amzn-drivers/archive/refs/tags/ena_linux_{version}.tar.gz", release["archiveUrl"]!.GetValue<string>());
        Assert.Equal($"amzn-drivers-ena_linux_{version}", release["archiveTopDirectory"]!.GetValue<string>());
        Assert.NotEqual("2.17.0", version); // panic on ENI detach reported against 2.17.0 (FACTS.md §2)
        if (release["sha256"] is JsonNode sha256)
        {
            Assert.Matches("^[0-9a-f]{64}$", sha256.GetValue<string>());
            Assert.Null(release["sha256Note"]);
        }
        else
        {
            Assert.Contains("pin-release.sh", release["sha256Note"]!.GetValue<string>());
        }
    }

    [Fact]
    public void PinReleaseWritesTheArchivesRealDigestAfterCheckingTheDeclaredVersion()
    {
        var manifest = Path.Combine(_work, "ena-driver.json");
        File.Copy(Path.Combine(RepoPaths.Driver, "ena-driver.json"), manifest);
        var archive = archives.Good;

        var wrong = Shell.Run(Path.Combine(RepoPaths.Driver, "pin-release.sh"), "2.1.5", "--archive", archive.Path, "--manifest", manifest);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Driver, "ena-driver.json")), File.ReadAllText(manifest));

        var pinned = Shell.Run(Path.Combine(RepoPaths.Driver, "pin-release.sh"), archive.Version, "--archive", archive.Path, "--manifest", manifest);
        Assert.True(pinned.ExitCode == 0, pinned.ToString());
        var release = Release(manifest);
        Assert.Equal(archive.Sha256, release["sha256"]!.GetValue<string>());
        Assert.Equal($"ena_linux_{archive.Version}", release["tag"]!.GetValue<string>());
        Assert.Equal($"{archive.Version}g", release["moduleVersion"]!.GetValue<string>());
        Assert.Null(release["sha256Note"]);
    }
}
