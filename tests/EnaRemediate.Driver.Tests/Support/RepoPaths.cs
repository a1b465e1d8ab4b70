namespace EnaRemediate.Driver.Tests.Support;

/// <summary>Where the driver bundle and its test material live, found from the test binary upwards.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();
    public static string Driver => Path.Combine(Root, "driver");
    public static string Scripts => Path.Combine(Driver, "scripts");
    public static string InstallScript => Path.Combine(Scripts, "install-ena.sh");
    public static string CollectScript => Path.Combine(Scripts, "collect-ena.sh");
    public static string OfflineRepairScript => Path.Combine(Scripts, "offline-repair.sh");
    public static string Generator => Path.Combine(Driver, "generate-documents.sh");
    public static string Documents => Path.Combine(Driver, "documents");
    public static string Bats => Path.Combine(Root, "tests", "driver-bats");
    public static string ArchiveBuilder => Path.Combine(Fixtures, "make-upstream-archive.sh");
    public static string VolumeBuilder => Path.Combine(Fixtures, "make-debian-volume.sh");
    public static string Fixtures => Path.Combine(Root, "tests", "EnaRemediate.Driver.Tests", "Fixtures");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EnaRemediate.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"EnaRemediate.sln not found above {AppContext.BaseDirectory}");
    }
}
