namespace EnaRemediate.Driver.Tests.Support;

/// <summary>
/// What the driver tests may change on the machine, captured before a test and restored after it:
/// dkms's tree, /usr/src, everything under /lib/modules (fake kernels, depmod output, updates/dkms).
/// </summary>
public sealed class SystemSnapshot
{
    private static readonly string[] Watched = ["/var/lib/dkms", "/lib/modules"];

    public string DkmsStatus { get; }
    public IReadOnlyList<string> UsrSrc { get; }
    public IReadOnlyList<string> Files { get; }

    private SystemSnapshot(string dkmsStatus, IReadOnlyList<string> usrSrc, IReadOnlyList<string> files)
    {
        DkmsStatus = dkmsStatus;
        UsrSrc = usrSrc;
        Files = files;
    }

    public static SystemSnapshot Capture() => new(
        RealSystem.DkmsStatus(),
        Directory.GetFileSystemEntries("/usr/src").Order(StringComparer.Ordinal).ToList(),
        Watched.Where(Directory.Exists).SelectMany(Walk).Order(StringComparer.Ordinal).ToList());

    /// <summary>Removes what appeared since this snapshot: dkms modules first (so dkms cleans up its own), then files.</summary>
    public void Restore()
    {
        var now = Capture();
        foreach (var version in Directory.Exists("/var/lib/dkms/ena") ? Directory.GetDirectories("/var/lib/dkms/ena") : [])
        {
            if (!Files.Contains(version))
            {
                Shell.Run("dkms", "remove", "-m", "ena", "-v", Path.GetFileName(version), "--all");
            }
        }
        foreach (var entry in now.UsrSrc.Except(UsrSrc))
        {
            DeleteEntry(entry);
        }
        foreach (var entry in Capture().Files.Except(Files).OrderByDescending(path => path.Length))
        {
            DeleteEntry(entry);
        }
    }

    /// <summary>Empty when nothing differs; otherwise a description of the differences.</summary>
    public string DifferencesFrom(SystemSnapshot other)
    {
        var lines = new List<string>();
        if (DkmsStatus != other.DkmsStatus) lines.Add($"dkms status was:\n{DkmsStatus}\nis:\n{other.DkmsStatus}");
        lines.AddRange(other.UsrSrc.Except(UsrSrc).Select(e => $"new in /usr/src: {e}"));
        lines.AddRange(UsrSrc.Except(other.UsrSrc).Select(e => $"gone from /usr/src: {e}"));
        lines.AddRange(other.Files.Except(Files).Select(e => $"new: {e}"));
        lines.AddRange(Files.Except(other.Files).Select(e => $"gone: {e}"));
        return string.Join('\n', lines);
    }

    private static IEnumerable<string> Walk(string root) =>
        new[] { root }.Concat(Directory.EnumerateFileSystemEntries(root).SelectMany(entry =>
            Directory.Exists(entry) && !new FileInfo(entry).Attributes.HasFlag(FileAttributes.ReparsePoint) ? Walk(entry) : [entry]));

    private static void DeleteEntry(string path)
    {
        var info = new FileInfo(path);
        if (info.Attributes.HasFlag(FileAttributes.ReparsePoint) || File.Exists(path)) File.Delete(path);
        else if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }
}
