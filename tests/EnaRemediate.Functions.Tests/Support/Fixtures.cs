namespace EnaRemediate.Functions.Tests.Support;

public static class Fixtures
{
    public static string Event(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "events", name));

    public static IEnumerable<string> EventNames =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "events"), "*.json").Select(Path.GetFileName).OfType<string>().Order();
}
