using EnaRemediate.Driver.Tests.Support;

namespace EnaRemediate.Driver.Tests;

/// <summary>shellcheck on every shell script of the bundle, and the bats suites for install-ena.sh.</summary>
public sealed class ShellScriptTests
{
    private static IReadOnlyList<string> ScriptPaths() =>
        Directory.EnumerateFiles(RepoPaths.Driver, "*.sh", SearchOption.AllDirectories)
            .Append(RepoPaths.ArchiveBuilder)
            .Append(RepoPaths.VolumeBuilder)
            .Select(file => Path.GetRelativePath(RepoPaths.Root, file))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> Scripts() => new(ScriptPaths());

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ShellcheckFindsNothing(string script)
    {
        // -x follows the sourced lib/*.sh; each script names its source path.
        var result = Shell.Run("shellcheck", "-x", "--severity=style", script);
        Assert.True(result.ExitCode == 0, $"shellcheck {script}:\n{result}");
    }

    [Fact]
    public void EveryScriptUnderDriverIsChecked()
    {
        // A new script is picked up by the theory above without being listed anywhere.
        Assert.Contains(Path.Combine("driver", "scripts", "install-ena.sh"), ScriptPaths());
        Assert.Contains(Path.Combine("driver", "scripts", "collect-ena.sh"), ScriptPaths());
        Assert.Contains(Path.Combine("driver", "scripts", "offline-repair.sh"), ScriptPaths());
        Assert.Contains(Path.Combine("driver", "scripts", "rebundle-instance.sh"), ScriptPaths());
        Assert.Contains(Path.Combine("driver", "package-release.sh"), ScriptPaths());
    }

    [Theory]
    [InlineData("install-args.bats")]
    [InlineData("distro.bats")]
    [InlineData("lock.bats")]
    [InlineData("offline-args.bats")]
    [InlineData("collect-boot.bats")]
    public void BatsSuitePasses(string suite)
    {
        var result = Shell.Run("bats", ["--tap", Path.Combine(RepoPaths.Bats, suite)], timeout: TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, $"bats {suite}:\n{result}");
        Assert.Matches(@"^1\.\.[1-9]", result.Stdout);
        Assert.DoesNotContain("not ok", result.Stdout);
    }
}
