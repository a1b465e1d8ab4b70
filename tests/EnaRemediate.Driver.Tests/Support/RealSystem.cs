namespace EnaRemediate.Driver.Tests.Support;

/// <summary>
/// Tests that install kernel modules through the real dkms share this collection: they run one at
/// a time and each restores the machine (dkms, /usr/src, /lib/modules, /var/lib/dkms) afterwards.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealSystemCollection : ICollectionFixture<UpstreamArchives>
{
    public const string Name = "real system (dkms, /usr/src, /lib/modules)";
}

public static class RealSystem
{
    /// <summary>
    /// The kernel whose Debian headers tools/setup.sh installs: whatever linux-headers-amd64 depends
    /// on today (6.1.0-56-amd64 when this was written; Debian moves it with each point release).
    /// </summary>
    public static string HeadersKernel => headersKernel.Value;

    private static readonly Lazy<string> headersKernel = new(() =>
    {
        var depends = Shell.Run("dpkg-query", "-W", "-f=${Depends}", "linux-headers-amd64").Stdout;
        var match = System.Text.RegularExpressions.Regex.Match(depends, @"linux-headers-(\d[^\s,(]*-amd64)");
        return match.Success
            ? match.Groups[1].Value
            : throw new InvalidOperationException("linux-headers-amd64 is not installed: run tools/setup.sh (it installs dkms, linux-headers-amd64 and linux-source-6.1).");
    });

    /// <summary>Fails with a clear message unless running as root: these tests run dkms for real.</summary>
    public static void RequireRoot()
    {
        var uid = File.ReadLines("/proc/self/status").First(line => line.StartsWith("Uid:", StringComparison.Ordinal))
            .Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[1];
        if (uid != "0")
        {
            throw new InvalidOperationException(
                "This test installs the ENA driver through the real dkms and must run as root (CI runs as root). " +
                $"Run `sudo dotnet test tests/EnaRemediate.Driver.Tests` (current uid {uid}).");
        }
        if (!File.Exists($"/lib/modules/{HeadersKernel}/build/Makefile"))
        {
            throw new InvalidOperationException(
                $"linux-headers-{HeadersKernel} is not installed: run tools/setup.sh (it installs dkms, linux-headers-amd64 and linux-source-6.1).");
        }
    }

    public static string DkmsStatus() => Shell.Check("dkms", "status");

    public static string ModinfoPath(string kernel) => Shell.Run("modinfo", "-k", kernel, "-n", "ena").Stdout.Trim();

    public static string ModinfoVersion(string kernel) => Shell.Run("modinfo", "-k", kernel, "-F", "version", "ena").Stdout.Trim();
}
