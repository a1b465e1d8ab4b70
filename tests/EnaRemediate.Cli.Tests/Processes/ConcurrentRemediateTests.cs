using EnaRemediate.Cli.Records;

namespace EnaRemediate.Cli.Tests.Processes;

/// <summary>
/// `remediate` processes against the standalone simulator process, sharing one SQLite store: the
/// per-instance lock and the record lease hold across processes, a killed run is resumed, and an
/// interrupted run saves, says where it stands, and resumes.
/// </summary>
public sealed class ConcurrentRemediateTests : SimulatorAndStore
{
    private async Task<IReadOnlyList<Core.Engine.RemediationRecord>> HistoryAsync() => await new SqliteRemediationStore(Store).HistoryAsync(Instance);

    [Fact]
    public async Task TwoProcessesStartedAtTheSameMomentMakeExactlyOneRemediation()
    {
        var starts = await Task.WhenAll(StartRemediate(), StartRemediate());
        await using var first = starts[0];
        await using var second = starts[1];

        var exits = await Task.WhenAll(first.WaitForExitAsync(RunTimeout), second.WaitForExitAsync(RunTimeout));
        var requests = await Sim.StopAsync();

        var output = first.Stdout + first.Stderr + "\n----\n" + second.Stdout + second.Stderr;
        Assert.True(exits.Order().SequenceEqual([0, 1]), $"exits {exits[0]}, {exits[1]}\n{output}");
        var loser = exits[0] == 1 ? first : second;
        // Refused by the other's live record, or (on a loaded machine, where one process can start so
        // late that the other has finished) as no longer impaired or in its cool-down: exactly one remediation either way.
        // The lock held against a live run is proven without a race by ASecondRunStartedLaterLeavesTheLiveRunsRecordAlone.
        Assert.True(new[] { "already-remediating", "not-impaired", "cool-down" }.Any(code => loser.Stdout.Contains(code, StringComparison.Ordinal)), output);
        Assert.Contains("1 refused", loser.Stdout);
        var record = Assert.Single(await HistoryAsync());
        Assert.Equal("recovered", record.Outcome);
        // One fallback remediation stops the instance twice (ENA off, then ENA on); two would stop it four times.
        Assert.Equal(2, requests["StopInstances"]);
        Assert.Equal(2, requests["StartInstances"]);
    }

    [Fact]
    public async Task ASecondRunStartedLaterLeavesTheLiveRunsRecordAlone()
    {
        await using var first = await StartRemediate();
        await first.WaitForOutputAsync(o => o.Contains("install-driver", StringComparison.Ordinal), RunTimeout);

        await using var second = await StartRemediate();
        var secondExit = await second.WaitForExitAsync(RunTimeout);
        var firstExit = await first.WaitForExitAsync(RunTimeout);
        var requests = await Sim.StopAsync();

        Assert.True(secondExit == 1, second.Stdout + second.Stderr);
        Assert.Contains("not resuming", second.Stderr);
        Assert.Contains($"enaremediate process {first.Pid} on", second.Stderr);
        Assert.True(firstExit == 0, first.Stdout + first.Stderr);
        Assert.Equal("recovered", Assert.Single(await HistoryAsync()).Outcome);
        Assert.Equal(2, requests["StopInstances"]);
    }

    [Fact]
    public async Task AKilledRunsRecordIsResumedAtOnceByTheNextRun()
    {
        await using (var killed = await StartRemediate())
        {
            await killed.WaitForOutputAsync(o => o.Contains("install-driver", StringComparison.Ordinal), RunTimeout);
            await killed.SignalAsync("KILL");
            Assert.NotEqual(0, await killed.WaitForExitAsync(RunTimeout));
        }
        Assert.Null((await HistoryAsync())[0].Outcome);

        await using var next = await StartRemediate();
        var exit = await next.WaitForExitAsync(RunTimeout);

        Assert.True(exit == 0, next.Stdout + next.Stderr);
        Assert.Contains("resuming", next.Stderr);
        Assert.Equal("recovered", Assert.Single(await HistoryAsync()).Outcome);
    }

    [Theory]
    [InlineData("INT", "SIGINT")]
    [InlineData("TERM", "SIGTERM")]
    public async Task AnInterruptedRunSavesSaysWhereItStandsAndResumes(string signal, string name)
    {
        await using (var interrupted = await StartRemediate())
        {
            await interrupted.WaitForOutputAsync(o => o.Contains("await-healthy-without-ena", StringComparison.Ordinal), RunTimeout);
            await interrupted.SignalAsync(signal);
            var exit = await interrupted.WaitForExitAsync(RunTimeout);

            Assert.True(exit == 130, interrupted.Stdout + interrupted.Stderr);
            Assert.Contains($"interrupted by {name}", interrupted.Stderr);
            Assert.Contains($"{Instance}: step ", interrupted.Stderr);
            Assert.Contains("to undo if abandoned", interrupted.Stderr);
            Assert.Contains($"resume:    enaremediate remediate --yes --store '{Store}' --instance-id {Instance}", interrupted.Stderr);
            Assert.Contains("roll back: enaremediate abort ", interrupted.Stderr);
            Assert.DoesNotContain("Exception", interrupted.Stdout + interrupted.Stderr);
        }
        var saved = Assert.Single(await HistoryAsync());
        Assert.Null(saved.Outcome);
        Assert.NotEmpty(saved.UndoLog);

        await using var next = await StartRemediate();
        var nextExit = await next.WaitForExitAsync(RunTimeout);

        Assert.True(nextExit == 0, next.Stdout + next.Stderr);
        Assert.Contains("resuming", next.Stderr);
        Assert.Equal("recovered", Assert.Single(await HistoryAsync()).Outcome);
    }

    [Fact]
    public async Task ASecondSignalAbandonsTheCallInFlightAndTheRecordStillResumes()
    {
        await using (var interrupted = await StartRemediate())
        {
            await interrupted.WaitForOutputAsync(o => o.Contains("install-driver", StringComparison.Ordinal), RunTimeout);
            await interrupted.SignalAsync("INT");
            await interrupted.SignalAsync("INT");

            Assert.Equal(130, await interrupted.WaitForExitAsync(RunTimeout));
            Assert.DoesNotContain("Exception", interrupted.Stdout + interrupted.Stderr);
        }
        Assert.Null(Assert.Single(await HistoryAsync()).Outcome);

        await using var next = await StartRemediate();
        Assert.True(await next.WaitForExitAsync(RunTimeout) == 0, next.Stdout + next.Stderr);
        Assert.Equal("recovered", Assert.Single(await HistoryAsync()).Outcome);
    }
}
