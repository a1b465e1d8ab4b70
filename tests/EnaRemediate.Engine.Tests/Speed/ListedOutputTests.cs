using Amazon.Runtime;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans;
using EnaRemediate.Engine.Tests.Simulated;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>
/// Issue 13: a finished command's output is read from the status listing (ListCommandInvocations
/// with Details) when the listing holds it whole, and from GetCommandInvocation only when the
/// agent cut it to the listing's 2,500 characters. The fallback's three outputs all fit: the last
/// report is asked for with only ENA's device-wide counters.
/// </summary>
public sealed class ListedOutputTests
{
    private const string Collect = "EnaRemediate-CollectHostReport";
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> None = new Dictionary<string, IReadOnlyList<string>>();

    [Fact]
    public async Task AListedResultIsExactlyWhatGetCommandInvocationReturnsAndNoneWhileItRuns()
    {
        await using var sim = await SimulatedEngine.StartAsync("healthy");
        var ssm = Adapter(sim);
        var id = sim.Id("ok");
        sim.World.Faults.For(id).OutputOverrides[Collect] = ShortReport;
        var command = await ssm.SendCommandAsync(Collect, [id], None, "test", CancellationToken.None);
        sim.Clock.Advance(TimeSpan.FromSeconds(1));
        var running = Assert.Single(await ssm.ListInvocationsAsync(command, CancellationToken.None));
        Assert.False(new CommandInvocation(running.Status, null, "", "").IsFinal);
        Assert.Null(running.Result);

        sim.Clock.Advance(TimeSpan.FromMinutes(2));
        var listed = Assert.Single(await ssm.ListInvocationsAsync(command, CancellationToken.None));
        var fetched = await ssm.GetCommandInvocationAsync(command, id, CancellationToken.None);
        Assert.NotNull(listed.Result);
        Assert.Equal(fetched, listed.Result);
        Assert.Equal(ShortReport, listed.Result.StandardOutput);
    }

    [Fact]
    public async Task StdoutAndStderrAreSplitAtTheAgentsErrorHeader()
    {
        await using var sim = await SimulatedEngine.StartAsync("healthy");
        var ssm = Adapter(sim);
        var id = sim.Id("ok");
        sim.World.Faults.For(id).ValidationFailsAfterEnaEnabled = true;
        sim.World.Faults.For(id).OutputOverrides[Collect] = ShortReport;
        var command = await ssm.SendCommandAsync(Collect, [id], None, "test", CancellationToken.None);
        sim.Clock.Advance(TimeSpan.FromMinutes(2));

        var listed = Assert.Single(await ssm.ListInvocationsAsync(command, CancellationToken.None)).Result;
        var fetched = await ssm.GetCommandInvocationAsync(command, id, CancellationToken.None);
        Assert.NotNull(listed);
        Assert.Equal("Failed", listed.Status);
        Assert.Equal(fetched, listed);
        Assert.Equal("ena 0000:00:05.0: Device reset failed\n", listed.StandardError);
    }

    [Fact]
    public async Task AShortStdoutBesideALongStderrIsWholeAndOnlyStderrIsCut()
    {
        await using var sim = await SimulatedEngine.StartAsync("healthy");
        var ssm = Adapter(sim);
        var id = sim.Id("ok");
        var stdout = "{\"status\":\"installed\"}\n";
        sim.World.Faults.For(id).OutputOverrides[Collect] = stdout;
        sim.World.Faults.For(id).ErrorOverrides[Collect] = new string('e', 5000);
        var command = await ssm.SendCommandAsync(Collect, [id], None, "test", CancellationToken.None);
        sim.Clock.Advance(TimeSpan.FromMinutes(2));

        var listed = Assert.Single(await ssm.ListInvocationsAsync(command, CancellationToken.None)).Result;
        Assert.NotNull(listed);
        Assert.Equal(stdout, listed.StandardOutput);
        Assert.EndsWith("\n---Error truncated----", listed.StandardError, StringComparison.Ordinal);
        Assert.Equal(2500 - stdout.Length - "\n----------ERROR-------\n".Length, listed.StandardError.Length);
    }

    [Fact]
    public async Task AnOutputTheListingCutIsLeftToGetCommandInvocation()
    {
        await using var sim = await SimulatedEngine.StartAsync("healthy");
        var ssm = Adapter(sim);
        var id = sim.Id("ok");
        var whole = string.Concat(Enumerable.Range(0, 200).Select(n => $"line {n} of a long output\n"));
        sim.World.Faults.For(id).OutputOverrides[Collect] = whole;
        var command = await ssm.SendCommandAsync(Collect, [id], None, "test", CancellationToken.None);
        sim.Clock.Advance(TimeSpan.FromMinutes(2));

        var listed = Assert.Single(await ssm.ListInvocationsAsync(command, CancellationToken.None));
        Assert.Equal("Success", listed.Status);
        Assert.Null(listed.Result);
        Assert.Equal(whole, (await ssm.GetCommandInvocationAsync(command, id, CancellationToken.None))!.StandardOutput);
    }

    [Fact]
    public async Task AFleetReadsEveryOutputFromTheListingWithTheFinalReportsDeviceWideCounters()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 10);
        var (started, result) = await sim.RemediateAsync(sim.InstanceIds);

        Assert.All(result.Records, r => Assert.Equal(Outcomes.Recovered, r.Outcome));
        // Three commands an instance, all read from the listing: the install result, the report
        // without ENA, and the final report asked for without per-queue counters (Counters=global).
        Assert.Equal(0L, sim.World.Counters["GetCommandInvocation"]);
        foreach (var id in started.RemediationIds)
        {
            var history = (await sim.Store.GetAsync(id))!.History;
            Assert.Contains(history, h => h.Event.Contains("is bound to ena", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AnEnaHostsWholeReportIsCutInTheListingAndItsDeviceWideReportIsNot()
    {
        await using var sim = await SimulatedEngine.StartAsync("healthy");
        var ssm = Adapter(sim);
        var id = sim.Id("ok");
        var whole = await ssm.SendCommandAsync(Collect, [id], None, "test", CancellationToken.None);
        var deviceWide = await ssm.SendCommandAsync(Collect, [id], new Dictionary<string, IReadOnlyList<string>> { ["Counters"] = ["global"] }, "test", CancellationToken.None);
        sim.Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Null(Assert.Single(await ssm.ListInvocationsAsync(whole, CancellationToken.None)).Result);
        var listed = Assert.Single(await ssm.ListInvocationsAsync(deviceWide, CancellationToken.None)).Result;
        Assert.NotNull(listed);
        var (report, problem) = EnaRemediate.Core.Readiness.HostReportOutput.Read(listed.StandardOutput);
        Assert.Null(problem);
        var counters = report!.EthtoolStats!["eth0"];
        Assert.Contains("total_resets", counters.Keys);
        Assert.DoesNotContain(counters.Keys, k => k.StartsWith("queue_", StringComparison.Ordinal));
        var full = EnaRemediate.Core.Readiness.HostReportOutput.Read((await ssm.GetCommandInvocationAsync(whole, id, CancellationToken.None))!.StandardOutput).Report;
        Assert.Contains(full!.EthtoolStats!["eth0"].Keys, k => k.StartsWith("queue_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACollectDocumentDeployedBeforeCountersGivesTheWholeReportAndTheInstanceRecovers()
    {
        // The account's documents predate this engine (the CLI is newer than the stack): the final
        // validation's SendCommand with Counters is refused, so it is sent again without it.
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 3,
            arrange: world => world.Faults.UndeclaredParameters.Add((Collect, "Counters")));
        var (_, result) = await sim.RemediateAsync(sim.InstanceIds);

        Assert.All(result.Records, r => Assert.True(r.Outcome == Outcomes.Recovered, $"{r.InstanceId}: {r.Outcome}: {r.OutcomeReason}"));
        // Each whole report (ENA's per-queue counters too) is longer than the listing: read whole.
        Assert.Equal(3L, sim.World.Counters["GetCommandInvocation"]);
    }

    [Fact]
    public async Task ARefusedParameterThatIsNotOptionalIsNotDroppedAndTheRecordSaysWhy()
    {
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1,
            arrange: world => world.Faults.UndeclaredParameters.Add(("EnaRemediate-InstallDriver", "Version")));
        var (_, result) = await sim.RemediateAsync(sim.InstanceIds);

        var record = Assert.Single(result.Records);
        Assert.NotEqual(Outcomes.Recovered, record.Outcome);
        Assert.Contains("Parameter \"Version\" is not defined", record.OutcomeReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACountersValueOtherThanAllOrGlobalIsRefusedBySendCommand()
    {
        await using var sim = await SimulatedEngine.StartAsync("healthy");
        var ssm = Adapter(sim);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ssm.SendCommandAsync(Collect, [sim.Id("ok")],
            new Dictionary<string, IReadOnlyList<string>> { ["Counters"] = ["global; reboot"] }, "test", CancellationToken.None));
        Assert.Contains("Counters", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, sim.World.Counters["GetCommandInvocation"]);
    }

    [Fact]
    public async Task AnInstallResultBeyondTheListingsCutIsReadWholeAndTheInstanceRecovers()
    {
        // The result is the last line, after more log than the listing holds: the cut listing has no result.
        var version = SimulatedEngine.Options.InstallParameters["Version"][0];
        var log = string.Concat(Enumerable.Range(0, 120).Select(n => $"install-ena: step {n} of a long build log\n"));
        await using var sim = await SimulatedEngine.StartAsync("kernel-update", instances: 1,
            arrange: world => world.Faults.For(world.Instances[0].InstanceId).OutputOverrides["EnaRemediate-InstallDriver"] =
                log + $$"""{"status":"installed","version":"{{version}}","kernels":[]}""" + "\n");
        var (started, result) = await sim.RemediateAsync(sim.InstanceIds);

        Assert.Equal(Outcomes.Recovered, Assert.Single(result.Records).Outcome);
        Assert.True(sim.World.Counters["GetCommandInvocation"] >= 1, "the cut install output was not read whole");
        var history = (await sim.Store.GetAsync(started.RemediationIds[0]))!.History;
        Assert.Contains(history, h => h.Event.Contains($"driver {version} installed for 0 kernel(s)", StringComparison.Ordinal));
    }

    /// <summary>A report short enough for the listing (a real one with ENA counters is not).</summary>
    private const string ShortReport = "{\"schema\":\"enaremediate.host-report/1\",\"runningKernel\":\"6.1.0-56-amd64\"}\n";

    private static SsmAdapter Adapter(SimulatedEngine sim) =>
        new(EngineFactory.CreateClients(new AwsConnection("us-east-1", sim.Host.Endpoint.ToString(), new BasicAWSCredentials("test", "test"))).Ssm);
}
