using EnaRemediate.Core.Diagnostics;

namespace EnaRemediate.Core.Tests.Diagnostics;

/// <summary>One row of Fixtures/diagnostics/expected.tsv: a document and what the engine must say about it.</summary>
public sealed record FixtureCase(string File, string? Baseline, string Kind, string Verdict, IReadOnlyList<string> Codes)
{
    public override string ToString() => File;
}

/// <summary>The fixture corpus (written from the AWS ENA troubleshooting page and FACTS.md §3) and its table.</summary>
public static class Fixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "diagnostics");

    public static string PathOf(string file) => Path.Combine(Directory, file);

    public static IReadOnlyList<FixtureCase> All { get; } = Load();

    public static TheoryData<FixtureCase> Cases()
    {
        var data = new TheoryData<FixtureCase>();
        foreach (var fixture in All)
        {
            data.Add(fixture);
        }
        return data;
    }

    public static Diagnosis Diagnose(FixtureCase fixture) => DiagnosticsEngine.Diagnose(
        [DiagnosticInput.FromFile(PathOf(fixture.File), fixture.File)],
        fixture.Baseline is null ? null : [DiagnosticInput.FromFile(PathOf(fixture.Baseline), fixture.Baseline)]);

    private static IReadOnlyList<FixtureCase> Load() =>
        File.ReadAllLines(PathOf("expected.tsv"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .Select(cells => new FixtureCase(
                cells[0],
                cells[1] == "-" ? null : cells[1],
                cells[2],
                cells[3],
                cells[4] == "-" ? [] : cells[4].Split(',')))
            .ToArray();
}
