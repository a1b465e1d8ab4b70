using System.Text.Json;

namespace EnaRemediate.Cli.Tests.Diagnose;

/// <summary>`enaremediate diagnose` as a process: exit codes, JSON, text, stdin and bad input.</summary>
public class DiagnoseCommandTests : IDisposable
{
    private const string RecoveredLog = """
        [18509.800135] ena 0000:00:07.0 eth1: Keep alive watchdog timeout.
        [18509.815244] ena 0000:00:07.0 eth1: Trigger reset is on
        [18512.772641] [ENA_COM: ena_com_set_hash_function] Feature 10 isn't supported
        [18512.775945] ena 0000:00:07.0: Device reset completed successfully
        """;

    private const string HealthyStats = """
        NIC statistics:
             tx_timeout: 0
             wd_expired: 0
             queue_0_tx_cnt: 4329
        """;

    private const string FailedLog = """
        Nov 27 03:12:45 ip-10-0-1-17 kernel: ena 0000:00:05.0: ENA device init failed
        Nov 27 03:12:45 ip-10-0-1-17 kernel: ena: probe of 0000:00:05.0 failed with error -110
        """;

    private const string ThrottledStats = """
        NIC statistics:
             bw_out_allowance_exceeded: 91
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("enaremediate-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(HealthyStats, 0, "HEALTHY")]
    [InlineData(RecoveredLog, 1, "RESET_RECOVERED")]
    [InlineData(ThrottledStats, 1, "THROTTLED")]
    [InlineData(FailedLog, 2, "FAILURE")]
    public async Task Exit_code_follows_the_verdict(string content, int exitCode, string verdict)
    {
        var run = await CliProcess.RunAsync(null, "diagnose", "--format", "json", Write("input.txt", content));

        Assert.Equal(exitCode, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(verdict, json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Json_output_has_the_documented_shape_and_evidence()
    {
        var path = Write("dmesg.log", RecoveredLog);
        var run = await CliProcess.RunAsync(null, "diagnose", "--format", "json", path);

        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(["verdict", "findings", "inputs"], root.EnumerateObject().Select(p => p.Name));
        var keepAlive = root.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("code").GetString() == "keep_alive_timeout");
        Assert.Equal(["code", "severity", "evidence", "advice"], keepAlive.EnumerateObject().Select(p => p.Name));
        var evidence = keepAlive.GetProperty("evidence")[0];
        Assert.Equal(path, evidence.GetProperty("input").GetString());
        Assert.Equal(1, evidence.GetProperty("line").GetInt32());
        Assert.Contains("Keep alive watchdog timeout", evidence.GetProperty("text").GetString());
        Assert.False(string.IsNullOrWhiteSpace(keepAlive.GetProperty("advice").GetString()));
        var input = root.GetProperty("inputs")[0];
        Assert.Equal("kernel_log", input.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Text_output_starts_with_the_verdict_and_has_no_colour_when_redirected()
    {
        var run = await CliProcess.RunAsync(null, "diagnose", Write("dmesg.log", RecoveredLog));

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("RESET_RECOVERED", run.Stdout);
        Assert.Contains("keep_alive_timeout", run.Stdout);
        Assert.Contains("Keep alive watchdog timeout", run.Stdout);
        Assert.Contains("→ ", run.Stdout);
        Assert.DoesNotContain("\u001b[", run.Stdout);
    }

    [Fact]
    public async Task Dash_reads_stdin()
    {
        var run = await CliProcess.RunAsync(FailedLog, "diagnose", "--format", "json", "-");

        Assert.Equal(2, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal("FAILURE", json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("<stdin>", json.RootElement.GetProperty("inputs")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Baseline_option_diffs_counters()
    {
        var before = Write("before.txt", "NIC statistics:\n     tx_timeout: 3\n     pps_allowance_exceeded: 1\n");
        var after = Write("after.txt", "NIC statistics:\n     tx_timeout: 3\n     pps_allowance_exceeded: 9\n");

        var withBaseline = await CliProcess.RunAsync(null, "diagnose", "--format", "json", "--baseline", before, after);
        var without = await CliProcess.RunAsync(null, "diagnose", "--format", "json", after);

        Assert.Equal("THROTTLED", JsonDocument.Parse(withBaseline.Stdout).RootElement.GetProperty("verdict").GetString());
        Assert.Equal("RESET_RECOVERED", JsonDocument.Parse(without.Stdout).RootElement.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task Missing_file_is_one_clear_line_and_exit_2()
    {
        var run = await CliProcess.RunAsync(null, "diagnose", Path.Combine(_directory, "nope.log"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal($"enaremediate: cannot read '{Path.Combine(_directory, "nope.log")}': no such file", run.Stderr.Trim());
    }

    [Fact]
    public async Task Empty_file_and_empty_stdin_are_errors_not_verdicts()
    {
        var file = await CliProcess.RunAsync(null, "diagnose", Write("empty.log", ""));
        var stdin = await CliProcess.RunAsync("", "diagnose", "-");

        foreach (var run in new[] { file, stdin })
        {
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("is empty", run.Stderr);
            Assert.DoesNotContain("   at ", run.Stderr); // never a stack trace
        }
    }

    [Fact]
    public async Task A_directory_is_a_clear_error()
    {
        var run = await CliProcess.RunAsync(null, "diagnose", _directory);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is a directory", run.Stderr);
    }

    [Theory]
    [InlineData("diagnose")]
    [InlineData("diagnose", "--format", "xml", "x.log")]
    [InlineData("diagnose", "--no-such-option", "x.log")]
    [InlineData("diagnose", "-", "-")]
    public async Task Bad_usage_exits_64(params string[] args)
    {
        var run = await CliProcess.RunAsync("", args);

        Assert.Equal(64, run.ExitCode);
        Assert.StartsWith("enaremediate: ", run.Stderr);
    }

    [Fact]
    public async Task Binary_garbage_gets_a_verdict_not_a_crash()
    {
        var path = Path.Combine(_directory, "garbage.bin");
        var bytes = new byte[64 * 1024];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var run = await CliProcess.RunAsync(null, "diagnose", "--format", "json", path);

        // Never HEALTHY: garbage vouches for nothing (issue 11, issue 16).
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("UNRECOGNISED", JsonDocument.Parse(run.Stdout).RootElement.GetProperty("verdict").GetString());
    }

    [Theory]
    [InlineData("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", "UNRECOGNISED", "unrecognised_input")]
    [InlineData("driver: ixgbevf\nversion: 2.12.1-k\nbus-info: 0000:00:03.0\n", "NOT_ENA", "ena_not_bound")]
    [InlineData("NIC statistics:\n     rx_queue_0_packets: 10\n     tx_queue_0_packets: 3\n", "NOT_ENA", "other_driver_statistics")]
    public async Task Input_that_is_not_ena_output_exits_2(string content, string verdict, string code)
    {
        var run = await CliProcess.RunAsync(null, "diagnose", "--format", "json", Write("input.txt", content));

        Assert.Equal(2, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(verdict, json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(code, json.RootElement.GetProperty("findings")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Unrecognised_stdin_next_to_a_healthy_file_is_not_healthy()
    {
        var run = await CliProcess.RunAsync("just some prose, no driver output here\n", "diagnose", Write("stats.txt", HealthyStats), "-");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("UNRECOGNISED", run.Stdout);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
