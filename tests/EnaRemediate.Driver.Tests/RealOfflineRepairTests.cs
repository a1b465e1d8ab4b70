using System.Text.Json.Nodes;
using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>
/// EnaRemediate-OfflineRepair for real: a Debian bookworm root volume (debootstrap, with its own
/// kernel, headers, dkms and initramfs-tools; Fixtures/make-debian-volume.sh, cached under
/// /var/cache/enaremediate-tests) as an ext4 image on a loop device, attached as /dev/sdx the way
/// EC2's udev rules name an attachment. The rendered SSM document mounts it, chroots, builds the
/// real ENA source with the volume's dkms for the volume's kernel and rebuilds the volume's
/// initramfs; this host's /lib/modules, /usr/src and dkms stay exactly as they were.
/// </summary>
[Collection(RealSystemCollection.Name)]
public sealed class RealOfflineRepairTests(UpstreamArchives archives) : IDisposable
{
    private const string VolumeCache = "/var/cache/enaremediate-tests/bookworm-volume";
    /// <summary>The attachment name; the symlink to the loop device stands for EC2's udev link.</summary>
    private const string Attachment = "/dev/sdx";

    private readonly SystemSnapshot _before = Prepare();
    private readonly string _work = Directory.CreateTempSubdirectory("enaremediate-offline-").FullName;
    private string? _loop;

    private static SystemSnapshot Prepare()
    {
        RealSystem.RequireRoot();
        if (File.Exists(Attachment) || Directory.Exists(Attachment) || new FileInfo(Attachment).LinkTarget is not null)
        {
            throw new InvalidOperationException($"{Attachment} exists on this machine; the test needs that name for its loop device.");
        }
        return SystemSnapshot.Capture();
    }

    private static SsmCommandDocument Document => new(Path.Combine(RepoPaths.Documents, "EnaRemediate-OfflineRepair.json"));

    private IEnumerable<string> MountsUnderWork() =>
        File.ReadLines("/proc/self/mountinfo").Select(line => line.Split(' ')[4]).Where(point => point.StartsWith(_work, StringComparison.Ordinal));

    private ShellResult Repair(UpstreamArchive archive, string? sha256 = null) =>
        Document.Run(new Dictionary<string, string>
        {
            ["TargetDevice"] = Attachment,
            ["SourceArchive"] = archive.Url,
            ["Sha256"] = sha256 ?? archive.Sha256,
            ["Version"] = archive.Version,
        }, archives.S3.With(new Dictionary<string, string?>
        {
            ["ENAREMEDIATE_PACKAGES"] = "never",
            ["ENA_OFFLINE_MOUNT_BASE"] = _work,
        }));

    [Fact]
    public void TheChrootInstallPutsTheModuleIntoTheVolumeAndItsInitramfsAndLeavesThisHostAlone()
    {
        var image = Path.Combine(_work, "volume.img");
        var built = Shell.Run(RepoPaths.VolumeBuilder, ["--cache", VolumeCache, "--out", image], timeout: TimeSpan.FromMinutes(30));
        Assert.True(built.ExitCode == 0, $"building the Debian volume failed:\n{built}");
        var kernel = Path.GetFileName(Assert.Single(Directory.GetDirectories(Path.Combine(VolumeCache, "tree", "lib", "modules"))));
        Assert.False(Directory.Exists($"/lib/modules/{kernel}"), $"this host has {kernel} too; the test could not tell the volume from the host");
        var initrdBefore = File.GetLastWriteTimeUtc(Path.Combine(VolumeCache, "tree", "boot", $"initrd.img-{kernel}"));
        _loop = Shell.Check("losetup", "--find", "--show", image).Trim();
        File.CreateSymbolicLink(Attachment, _loop);
        var good = archives.Good;

        var repair = Repair(good);
        Assert.True(repair.ExitCode == 0, repair.ToString());
        var result = JsonNode.Parse(repair.LastLine)!;
        Assert.Equal("installed", result["status"]!.GetValue<string>());
        Assert.Equal(Attachment, result["targetDevice"]!.GetValue<string>());
        Assert.Equal(_loop, result["device"]!.GetValue<string>());
        Assert.Equal(_loop, result["rootPartition"]!.GetValue<string>());
        Assert.Null(result["error"]);
        var installed = Assert.Single(repair.InstallResult().Kernels!);
        Assert.Equal(kernel, installed.Kernel);
        Assert.Equal("installed", installed.Dkms);
        Assert.Equal($"/lib/modules/{kernel}/updates/dkms/ena.ko", installed.Module);
        Assert.Equal($"{good.Version}g", installed.ModuleVersion);
        Assert.True(installed.Initramfs);
        // The fixture's fstab names the root /dev/xvda1, a name Nitro types do not have.
        var fstab = Assert.Single(result["fstab"]!.AsArray());
        Assert.Equal("/dev/xvda1", fstab!["spec"]!.GetValue<string>());
        Assert.Contains("Nitro", fstab["problem"]!.GetValue<string>());
        Assert.Empty(MountsUnderWork());

        // This host: nothing of it changed (no module, no dkms entry, no /usr/src/ena-*).
        Assert.Equal("", _before.DifferencesFrom(SystemSnapshot.Capture()));
        Assert.False(Directory.Exists($"/lib/modules/{kernel}"));

        // The volume, looked at from outside: the module, dkms's record and the new initramfs.
        var check = Directory.CreateDirectory(Path.Combine(_work, "check")).FullName;
        Shell.Check("mount", "-o", "ro", _loop, check);
        try
        {
            var module = Path.Combine(check, "lib", "modules", kernel, "updates", "dkms", "ena.ko");
            Assert.True(File.Exists(module), $"{module} is missing");
            Assert.Equal($"{good.Version}g", Shell.Check("modinfo", "-F", "version", module).Trim());
            Assert.True(File.Exists(Path.Combine(check, "usr", "src", $"ena-{good.Version}", "dkms.conf")));
            Assert.True(Directory.Exists(Path.Combine(check, "var", "lib", "dkms", "ena", good.Version, kernel)));
            var initrd = Path.Combine(check, "boot", $"initrd.img-{kernel}");
            Assert.True(File.GetLastWriteTimeUtc(initrd) > initrdBefore, "the volume's initramfs was not rebuilt");
            Assert.Contains($"usr/lib/modules/{kernel}/updates/dkms/ena.ko", Shell.Check("lsinitramfs", initrd).Split('\n'));
        }
        finally
        {
            Shell.Check("umount", check);
        }

        // Again: nothing to do. With a wrong digest: refused before anything is unpacked. Both unmount.
        var again = Repair(good);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("unchanged", again.InstallResult().Status);
        var wrong = Repair(good, sha256: new string('a', 64));
        Assert.Equal(1, wrong.ExitCode);
        Assert.StartsWith("checksum_mismatch:", Assert.Single(wrong.InstallResult().Kernels!).Error);
        Assert.Empty(MountsUnderWork());
    }

    public void Dispose()
    {
        foreach (var point in MountsUnderWork().Reverse().ToList())
        {
            Shell.Run("umount", "-l", point);
        }
        if (new FileInfo(Attachment).LinkTarget is not null) File.Delete(Attachment);
        if (_loop is not null) Shell.Run("losetup", "-d", _loop);
        Directory.Delete(_work, recursive: true);
        _before.Restore();
        Assert.Equal("", _before.DifferencesFrom(SystemSnapshot.Capture()));
    }
}
