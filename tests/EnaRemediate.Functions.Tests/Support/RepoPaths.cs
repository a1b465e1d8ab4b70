namespace EnaRemediate.Functions.Tests.Support;

/// <summary>Finds the repository, its node tools and the optional shared/ reference folder from the test's directory.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindUp(AppContext.BaseDirectory, d => File.Exists(Path.Combine(d, "EnaRemediate.sln")))
        ?? throw new InvalidOperationException($"No EnaRemediate.sln above {AppContext.BaseDirectory}.");

    /// <summary>tools/node with its node_modules, or a clear failure telling how to get it.</summary>
    public static string NodeTools
    {
        get
        {
            var dir = Path.Combine(Root, "tools", "node");
            if (!Directory.Exists(Path.Combine(dir, "node_modules")))
                throw new InvalidOperationException($"{dir}/node_modules is missing: run `bash tools/setup.sh` once (it runs npm ci there).");
            return dir;
        }
    }

    /// <summary>The shared/ reference folder beside or above the repository, when it is there.</summary>
    public static string? Shared => FindUp(Directory.GetParent(Root)?.FullName ?? Root, d => Directory.Exists(Path.Combine(d, "shared", "schemas"))) is { } d
        ? Path.Combine(d, "shared") : null;

    private static string? FindUp(string start, Func<string, bool> found)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (found(dir.FullName)) return dir.FullName;
        return null;
    }
}
