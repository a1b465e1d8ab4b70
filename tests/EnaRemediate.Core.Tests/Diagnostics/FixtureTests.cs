using EnaRemediate.Core.Diagnostics;

namespace EnaRemediate.Core.Tests.Diagnostics;

public class FixtureTests
{
    [Theory]
    [MemberData(nameof(Fixtures.Cases), MemberType = typeof(Fixtures))]
    public void Fixture_gets_its_expected_kind_verdict_and_codes(FixtureCase fixture)
    {
        var diagnosis = Fixtures.Diagnose(fixture);

        Assert.Equal(fixture.Kind, diagnosis.Inputs.Single().Kind.ToWireName());
        Assert.Equal(fixture.Verdict, diagnosis.Verdict.ToWireName());
        Assert.Equal(fixture.Codes.Order(StringComparer.Ordinal), diagnosis.Findings.Select(f => f.Code).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Fixtures.Cases), MemberType = typeof(Fixtures))]
    public void Evidence_line_numbers_point_at_the_quoted_line(FixtureCase fixture)
    {
        var lines = File.ReadAllLines(Fixtures.PathOf(fixture.File));
        var diagnosis = Fixtures.Diagnose(fixture);

        foreach (var evidence in diagnosis.Findings.SelectMany(f => f.Evidence).Where(e => e.Input == fixture.File && e.Line > 0))
        {
            // Quoted lines (`> `, `>> `) are judged without their quote prefix; wrapped lines start at
            // the quoted line; counters are shown with their interface in front.
            var line = lines[evidence.Line - 1].Trim().TrimStart('>', ' ').Trim();
            var cut = Math.Min(line.Length, FindingCollector.MaxEvidenceTextLength);
            Assert.Contains(line[..cut].TrimEnd('…'), evidence.Text);
        }
        Assert.All(diagnosis.Findings, f => Assert.InRange(f.Evidence.Count, 1, FindingCollector.MaxEvidence));
    }

    [Fact]
    public void Corpus_has_thirty_documents_all_listed_and_every_code_is_exercised()
    {
        var onDisk = System.IO.Directory.GetFiles(Fixtures.Directory).Select(Path.GetFileName).Where(f => f != "expected.tsv").ToHashSet();
        var listed = Fixtures.All.Select(f => f.File).ToHashSet();

        Assert.True(onDisk.Count >= 30, $"only {onDisk.Count} fixtures");
        Assert.Empty(onDisk.Except(listed));
        Assert.Empty(listed.Except(onDisk!));

        var everyCode = typeof(FindingCodes).GetFields().Select(f => (string)f.GetValue(null)!).ToArray();
        var covered = Fixtures.All.SelectMany(f => f.Codes).ToHashSet();
        Assert.Empty(everyCode.Except(covered));
        var everyVerdict = Enum.GetValues<Verdict>().Select(v => v.ToWireName());
        Assert.Empty(everyVerdict.Except(Fixtures.All.Select(f => f.Verdict)));
    }

    [Fact]
    public void Thirty_or_more_fixtures_come_from_public_reports_and_each_cites_its_source()
    {
        var gathered = Fixtures.All.Where(f => f.File.StartsWith("wild-", StringComparison.Ordinal)).ToArray();

        Assert.True(gathered.Length >= 30, $"only {gathered.Length} fixtures from public reports");
        foreach (var fixture in gathered)
        {
            using var reader = new StreamReader(Fixtures.PathOf(fixture.File));
            Assert.StartsWith("# source: ", reader.ReadLine());
        }
    }

    [Fact]
    public void Baseline_turns_old_faults_into_history_and_keeps_only_growth()
    {
        var after = Fixtures.All.Single(f => f.File == "ethtool-s-after.txt");
        var withoutBaseline = DiagnosticsEngine.Diagnose([DiagnosticInput.FromFile(Fixtures.PathOf(after.File))]);
        var withBaseline = Fixtures.Diagnose(after);

        Assert.Equal(Verdict.ResetRecovered, withoutBaseline.Verdict);
        Assert.Equal(Verdict.Throttled, withBaseline.Verdict);
        Assert.Contains("(baseline 10, +40)", withBaseline.Findings.Single().Evidence.Single().Text);
    }

    [Fact]
    public void Several_inputs_are_judged_together_and_the_worst_verdict_wins()
    {
        var diagnosis = DiagnosticsEngine.Diagnose(
        [
            DiagnosticInput.FromFile(Fixtures.PathOf("ethtool-s-allowance.txt"), "stats"),
            DiagnosticInput.FromFile(Fixtures.PathOf("missing-tx-unrecovered.reltime.log"), "dmesg"),
        ]);

        Assert.Equal(Verdict.Failure, diagnosis.Verdict);
        Assert.Equal(["ethtool_stats", "kernel_log"], diagnosis.Inputs.Select(i => i.Kind.ToWireName()));
        Assert.Equal(FindingCodes.MissingTxCompletions, diagnosis.Findings[0].Code); // worst first
        Assert.Contains(diagnosis.Findings, f => f.Code == FindingCodes.AllowanceExceeded);
    }
}
