using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using EnaRemediate.Cli.Tests.Engine;
using EnaRemediate.Simulator;

namespace EnaRemediate.Cli.Tests.Inventory;

/// <summary>
/// `enaremediate inventory` as a process against the simulator's pending-kernel-update fleet
/// (the real AWS SDK on the wire): every group classified as what it is, --fix making the
/// opted-in at-risk instances ready, and a reboot of the whole fleet afterwards.
/// </summary>
public sealed class InventoryCommandTests : IAsyncLifetime
{
    private static readonly string Sha = new('a', 64);
    private SimulatorHost _sim = null!;
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "enaremediate-inventory-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync() => _sim = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "pending-kernel-update", Speed = 200 });

    public async Task DisposeAsync()
    {
        await _sim.DisposeAsync();
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private Task<CliProcess.Result> Run(params string[] args) =>
        CliProcess.RunAsync(["inventory", .. args, "--endpoint-url", _sim.Endpoint.ToString(), "--store", Path.Combine(_stateDir, "records.db")]);

    /// <summary>Scenario group name (the Name tag without its ordinal) of each instance.</summary>
    private Dictionary<string, string> Groups() => _sim.World.Instances.ToDictionary(i => i.InstanceId, i => i.Tags["Name"][..i.Tags["Name"].LastIndexOf('-')]);

    private static Dictionary<string, JsonElement> Rows(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("instances").EnumerateArray().ToDictionary(e => e.GetProperty("instanceId").GetString()!);

    private static readonly Dictionary<string, string> Expected = new()
    {
        ["at-risk-no-ena"] = "at-risk-next-reboot",
        ["at-risk-no-headers"] = "at-risk-next-reboot",
        ["broken-now"] = "broken-now",
        ["ready-dkms"] = "ready",
        ["ready-in-tree"] = "ready",
        ["not-managed"] = "not-managed",
        ["control-at-risk-not-opted-in"] = "at-risk-next-reboot",
    };

    [Fact]
    public async Task Json_names_every_at_risk_instance_and_no_ready_one_in_the_documented_shape()
    {
        var run = await Run("--format", "json");

        Assert.True(run.ExitCode == 2, run.Stderr); // a broken-now instance is in the fleet
        var rows = Rows(run.Stdout);
        var groups = Groups();
        Assert.Equal(groups.Keys.Order(), rows.Keys.Order());
        foreach (var (id, row) in rows)
        {
            Assert.True(Expected[groups[id]] == row.GetProperty("verdict").GetString(), $"{groups[id]} {id}: {row}");
            Assert.Equal(["instanceId", "instanceType", "enaSupport", "typeEnaSupport", "runningKernel", "nextKernel", "verdict", "findings"],
                row.EnumerateObject().Select(p => p.Name));
        }
        var noEna = rows.Values.First(r => groups[r.GetProperty("instanceId").GetString()!] == "at-risk-no-ena");
        Assert.Equal(("6.1.0-56-amd64", "6.1.0-57-amd64"), (noEna.GetProperty("runningKernel").GetString(), noEna.GetProperty("nextKernel").GetString()));
        Assert.Contains(noEna.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "module_missing" && f.GetProperty("severity").GetString() == "critical");
        var noHeaders = rows.Values.First(r => groups[r.GetProperty("instanceId").GetString()!] == "at-risk-no-headers");
        Assert.Contains(noHeaders.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "headers_missing");

        var summary = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("summary");
        Assert.Equal(9, summary.GetProperty("total").GetInt32());
        Assert.Equal(5, summary.GetProperty("at-risk-next-reboot").GetInt32());
        Assert.Equal(2, summary.GetProperty("ready").GetInt32());
        Assert.Equal(1, summary.GetProperty("broken-now").GetInt32());
        Assert.Equal(1, summary.GetProperty("not-managed").GetInt32());
        Assert.Contains("EnaRemediate-CollectHostReport: 7/7 instances finished", run.Stderr);
        // Read-only: only the collect document was sent, nothing was installed or restarted.
        Assert.Equal(0, _sim.World.Counters["RebootInstances"] + _sim.World.Counters["StopInstances"]);
        AssertNothingInstalled();
    }

    [Fact]
    public async Task Text_and_csv_show_one_row_per_instance_and_the_counts()
    {
        var text = await Run();
        Assert.Contains("9 instance(s): 1 broken-now, 5 at-risk-next-reboot, 1 not-managed, 2 ready", text.Stdout);
        foreach (var id in Groups().Keys)
        {
            Assert.Single(text.Stdout.Split('\n'), l => l.StartsWith(id + "  ", StringComparison.Ordinal)); // the table row (a findings heading says "ID (verdict):")
        }
        Assert.Contains("6.1.0-57-amd64 (NO ENA)", text.Stdout);

        var csv = await Run("--format", "csv");
        var lines = csv.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal("instanceId,instanceType,enaSupport,typeEnaSupport,runningKernel,runningEna,nextKernel,nextEna,dkms,verdict,findings", lines[0]);
        Assert.Equal(10, lines.Length);
    }

    [Fact]
    public async Task A_tag_filter_narrows_the_fleet()
    {
        var run = await Run("--tag", "EnaRemediate:OptIn=true", "--format", "json");
        var rows = Rows(run.Stdout);
        Assert.Equal(8, rows.Count);
        Assert.DoesNotContain(rows.Keys, id => Groups()[id] == "control-at-risk-not-opted-in");
    }

    [Fact]
    public async Task Bad_tags_and_a_fix_of_another_release_without_its_digest_are_usage_errors_with_no_call()
    {
        var badTag = await Run("--tag", "=x");
        Assert.Equal(64, badTag.ExitCode);
        Assert.Contains("--tag", badTag.Stderr);
        Assert.Equal(0, _sim.World.Counters.Total);

        // The pinned release needs no digest flag; another release without its own digest is refused.
        var noSha = await Run("--fix", "--yes", "--driver-version", "2.17.0");
        Assert.Equal(64, noSha.ExitCode);
        Assert.Contains("Sha256", noSha.Stderr);
        Assert.Contains("nothing was sent", noSha.Stderr);
        AssertNothingInstalled();
    }

    [Fact]
    public async Task Fix_dry_run_shows_the_plan_and_installs_nothing()
    {
        var run = await Run("--fix", "--dry-run", "--driver-sha256", Sha, "--format", "json");

        var fix = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("fix");
        Assert.True(fix.GetProperty("dryRun").GetBoolean());
        Assert.Equal(4, fix.GetProperty("targets").GetArrayLength());
        Assert.Contains("fix plan (dry run)", run.Stderr);
        AssertNothingInstalled();
    }

    [Fact]
    public async Task Fix_makes_the_at_risk_ones_ready_and_a_reboot_of_the_whole_fleet_then_loses_none_of_them()
    {
        var groups = Groups();
        var fixRun = await Run("--fix", "--yes", "--driver-sha256", Sha, "--format", "json");

        Assert.True(fixRun.ExitCode == 2, fixRun.Stderr); // the broken-now instance is still broken: --fix never stops or reboots
        var rows = Rows(fixRun.Stdout);
        var control = groups.Single(g => g.Value == "control-at-risk-not-opted-in").Key;
        foreach (var (id, row) in rows)
        {
            var expected = groups[id] switch
            {
                "at-risk-no-ena" or "at-risk-no-headers" => "ready",
                var g => Expected[g],
            };
            Assert.True(expected == row.GetProperty("verdict").GetString(), $"{groups[id]} {id} after --fix: {row}");
        }
        var fix = JsonDocument.Parse(fixRun.Stdout).RootElement.GetProperty("fix");
        Assert.Contains(fix.GetProperty("skipped").EnumerateArray(), s => s.GetProperty("instanceId").GetString() == control);
        Assert.All(fix.GetProperty("results").EnumerateArray(), r => Assert.Equal("Success", r.GetProperty("status").GetString()));
        Assert.Equal(0, _sim.World.Counters["RebootInstances"] + _sim.World.Counters["StopInstances"]);

        // Reboot every running instance through EC2, as a patch window would, and let them boot.
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("test", "test"),
            new AmazonEC2Config { ServiceURL = _sim.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var reachableBefore = _sim.World.Instances.Where(i => i.IsReachable(_sim.World.Now)).Select(i => i.InstanceId).ToList();
        await ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = reachableBefore });
        await Task.Delay(TimeSpan.FromMinutes(10), _sim.Clock);

        var now = _sim.World.Now;
        foreach (var id in reachableBefore)
        {
            var instance = _sim.World.Instance(id);
            Assert.True(instance.IsReachable(now) == (id != control), $"{groups[id]} {id} after the reboot: reachable {instance.IsReachable(now)}, kernel {instance.RunningKernel}");
        }
        Assert.Equal("6.1.0-57-amd64", _sim.World.Instance(control).RunningKernel);
        Assert.Equal("impaired", _sim.World.Instance(control).InstanceStatusAt(now));
    }

    [Fact]
    public async Task A_fleet_larger_than_one_send_command_is_collected_in_batches_of_fifty()
    {
        await using var large = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "pending-kernel-update", Instances = 130, Speed = 200 });
        var run = await CliProcess.RunAsync(["inventory", "--format", "json", "--endpoint-url", large.Endpoint.ToString(), "--store", Path.Combine(_stateDir, "records.db")]);

        var summary = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("summary");
        Assert.Equal(130, summary.GetProperty("total").GetInt32());
        var collected = large.World.Instances.Count(i => i.PingStatusAt(large.World.Now) == "Online");
        Assert.True(collected > 100, $"{collected} online");
        Assert.Equal(collected, summary.GetProperty("total").GetInt32() - summary.GetProperty("not-managed").GetInt32() - summary.GetProperty("broken-now").GetInt32());
        Assert.Equal((collected + 49) / 50, large.World.Counters["SendCommand"]);
        Assert.Contains($"EnaRemediate-CollectHostReport: {collected}/{collected} instances finished", run.Stderr);
    }

    /// <summary>No driver install ran: the hand-built hosts' pending kernel still has no ena module and DKMS is still absent.</summary>
    private void AssertNothingInstalled()
    {
        foreach (var id in Groups().Where(g => g.Value == "at-risk-no-ena").Select(g => g.Key))
        {
            var guest = _sim.World.Instance(id).Guest!;
            Assert.False(guest.DkmsInstalled);
            Assert.Null(guest.Find("6.1.0-57-amd64")!.Ena);
        }
    }
}
