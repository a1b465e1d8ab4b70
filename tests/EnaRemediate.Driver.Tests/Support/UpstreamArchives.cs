using System.IO.Compression;
using System.Security.Cryptography;

namespace EnaRemediate.Driver.Tests.Support;

/// <summary>An archive on disk, its copy in the test S3 (Url) and the digest hosts check: that of its tar stream.</summary>
public sealed record UpstreamArchive(string Path, string Url, string Sha256, string Version);

/// <summary>
/// Release archives in the amzn-drivers layout built from the real ENA source in Debian's
/// linux-source-6.1 (Fixtures/make-upstream-archive.sh), served from a local S3 (<see cref="S3"/>).
/// The unpacked kernel source is cached in the temp directory across test runs; the archives
/// themselves live for one run.
/// </summary>
public sealed class UpstreamArchives : IDisposable
{
    public const string LinuxSource = "/usr/src/linux-source-6.1.tar.xz";
    /// <summary>The version the in-kernel ena_netdev.h of Linux 6.1 declares.</summary>
    public const string GoodVersion = "2.1.0";
    public const string BrokenVersion = "2.1.1";

    private readonly string _directory = Directory.CreateTempSubdirectory("enaremediate-archives-").FullName;
    private readonly string _cache = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "enaremediate-linux-source-ena");
    private readonly Dictionary<string, UpstreamArchive> _built = [];
    private readonly Lock _lock = new();

    /// <summary>Where the archives are fetched from; its environment reaches it with the aws CLI.</summary>
    public S3Server S3 { get; } = new();

    public UpstreamArchive Good => Get(GoodVersion, broken: false);

    /// <summary>Same source with a deliberate compile error.</summary>
    public UpstreamArchive Broken => Get(BrokenVersion, broken: true);

    /// <summary>
    /// A stand-in for the distribution's own module: the unmodified in-kernel source built with
    /// kbuild alone (no MODULE_VERSION, like modern in-tree ena). Cached with the source.
    /// </summary>
    public string StockModule(string kernel)
    {
        _ = Good; // unpacks the in-kernel source into the cache
        lock (_lock)
        {
            var built = System.IO.Path.Combine(_cache, $"stock-{kernel}", "ena.ko");
            if (File.Exists(built)) return built;
            var source = System.IO.Path.Combine(_cache, $"stock-{kernel}");
            Directory.CreateDirectory(source);
            foreach (var file in Directory.GetFiles(System.IO.Path.Combine(_cache, "ena")))
            {
                File.Copy(file, System.IO.Path.Combine(source, System.IO.Path.GetFileName(file)), overwrite: true);
            }
            var result = Shell.Run("make", "-C", $"/lib/modules/{kernel}/build", $"M={source}", "CONFIG_ENA_ETHERNET=m", "modules");
            Assert.True(result.ExitCode == 0 && File.Exists(built), $"building the stock module failed:\n{result}");
            return built;
        }
    }

    private UpstreamArchive Get(string version, bool broken)
    {
        lock (_lock)
        {
            var name = $"ena_linux_{version}{(broken ? "-broken" : "")}.tar.gz";
            if (_built.TryGetValue(name, out var archive)) return archive;
            if (!File.Exists(LinuxSource))
            {
                throw new InvalidOperationException($"{LinuxSource} is missing: run tools/setup.sh (it installs linux-source-6.1).");
            }
            var path = System.IO.Path.Combine(_directory, name);
            List<string> arguments = ["--linux-source", LinuxSource, "--cache", _cache, "--version", version, "--out", path];
            if (broken) arguments.Add("--break");
            var result = Shell.Run(RepoPaths.ArchiveBuilder, arguments);
            Assert.True(result.ExitCode == 0, $"building {name} failed:\n{result}");
            archive = new UpstreamArchive(path, S3.Put(path, $"ena/{name}"), TarStreamSha256(path), version);
            _built[name] = archive;
            return archive;
        }
    }

    /// <summary>sha256 of the gunzipped stream: what install-ena.sh checks against --sha256.</summary>
    public static string TarStreamSha256(string gzipFile)
    {
        using var file = File.OpenRead(gzipFile);
        using var tar = new GZipStream(file, CompressionMode.Decompress);
        return Convert.ToHexStringLower(SHA256.HashData(tar));
    }

    public void Dispose()
    {
        S3.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
