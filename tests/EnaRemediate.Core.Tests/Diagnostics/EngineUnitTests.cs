using System.Text;
using System.Text.Json;
using EnaRemediate.Core.Diagnostics;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Tests.Diagnostics;

public class EngineUnitTests
{
    [Fact]
    public void Json_has_exactly_the_issue_shape()
    {
        var diagnosis = Fixtures.Diagnose(Fixtures.All.Single(f => f.File == "aws-reset-example.dmesg.log"));
        using var json = JsonDocument.Parse(DiagnosisJson.ToJson(diagnosis));
        var root = json.RootElement;

        Assert.Equal(["verdict", "findings", "inputs"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("RESET_RECOVERED", root.GetProperty("verdict").GetString());
        foreach (var finding in root.GetProperty("findings").EnumerateArray())
        {
            Assert.Equal(["code", "severity", "evidence", "advice"], finding.EnumerateObject().Select(p => p.Name));
            Assert.Contains(finding.GetProperty("severity").GetString(), new[] { "info", "warning", "error", "critical" });
            foreach (var evidence in finding.GetProperty("evidence").EnumerateArray())
            {
                Assert.Equal(["input", "line", "text"], evidence.EnumerateObject().Select(p => p.Name));
                Assert.Equal(JsonValueKind.Number, evidence.GetProperty("line").ValueKind);
            }
        }
        var input = Assert.Single(root.GetProperty("inputs").EnumerateArray());
        Assert.Equal(["name", "kind"], input.EnumerateObject().Select(p => p.Name));
        Assert.Equal("kernel_log", input.GetProperty("kind").GetString());
    }

    [Fact]
    public void Host_report_overload_says_not_ready_when_the_next_boot_kernel_has_no_module()
    {
        var report = new HostReport
        {
            RunningKernel = "6.1.0-9-amd64",
            NetIfnames = "0",
            Kernels =
            [
                new KernelEntry { Kernel = "6.1.0-9-amd64", Running = true, Headers = true, EnaModule = new EnaModuleInfo("/lib/modules/6.1.0-9-amd64/updates/dkms/ena.ko", "2.16.1g", false) },
                new KernelEntry { Kernel = "6.1.0-10-amd64", Running = false, Headers = true, EnaModule = null },
            ],
        };

        var diagnosis = DiagnosticsEngine.Diagnose(report);

        Assert.Equal(Verdict.NotReady, diagnosis.Verdict);
        var finding = Assert.Single(diagnosis.Findings);
        Assert.Equal(FindingCodes.ModuleMissing, finding.Code);
        Assert.Contains("6.1.0-10-amd64", finding.Evidence.Single().Text); // 10 sorts after 9: the next boot's kernel
    }

    [Fact]
    public void Host_report_overload_missing_module_on_an_old_kernel_is_advice_only()
    {
        var report = new HostReport
        {
            RunningKernel = "6.1.0-10-amd64",
            Kernels =
            [
                new KernelEntry { Kernel = "6.1.0-10-amd64", Running = true, EnaModule = new EnaModuleInfo("/x/ena.ko", "2.16.1g", false) },
                new KernelEntry { Kernel = "6.1.0-9-amd64", Running = false, EnaModule = null },
            ],
        };

        var diagnosis = DiagnosticsEngine.Diagnose(report);

        Assert.Equal(Verdict.Healthy, diagnosis.Verdict);
        Assert.Equal(Severity.Warning, Assert.Single(diagnosis.Findings).Severity);
    }

    [Fact]
    public void Host_report_overload_diffs_counters_against_a_baseline_report()
    {
        static HostReport WithStats(long resets, long pps) => new()
        {
            EthtoolStats = new Dictionary<string, IReadOnlyDictionary<string, long>>
            {
                ["eth0"] = new Dictionary<string, long> { ["total_resets"] = resets, ["pps_allowance_exceeded"] = pps },
            },
        };

        Assert.Equal(Verdict.ResetRecovered, DiagnosticsEngine.Diagnose(WithStats(4, 7)).Verdict);
        Assert.Equal(Verdict.Throttled, DiagnosticsEngine.Diagnose(WithStats(4, 7), baseline: WithStats(4, 2)).Verdict);
        Assert.Equal(Verdict.Failure, DiagnosticsEngine.Diagnose(WithStats(40, 2), baseline: WithStats(4, 2)).Verdict); // 36 new resets: crash loop
    }

    [Fact]
    public void Dkms_entries_added_but_never_built_are_a_build_failure()
    {
        var report = new HostReport { Dkms = [new DkmsEntry("ena", "2.16.1", null, null, "added")] };
        var diagnosis = DiagnosticsEngine.Diagnose(report);

        Assert.Equal(Verdict.BuildFailure, diagnosis.Verdict);
        Assert.Equal(FindingCodes.BuildFailed, Assert.Single(diagnosis.Findings).Code);
    }

    [Theory]
    [InlineData("ena 0000:00:05.0: Device reset completed, status: 0", Verdict.ResetRecovered)]
    [InlineData("ena 0000:00:05.0: Device reset completed, status: -5", Verdict.Failure)]
    public void Reset_status_zero_is_success_and_anything_else_is_failure(string completion, Verdict expected)
    {
        var log = "ena 0000:00:05.0 eth0: Keep alive watchdog timeout.\nena 0000:00:05.0 eth0: Trigger reset is on\n" + completion;
        Assert.Equal(expected, DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("log", log)]).Verdict);
    }

    [Fact]
    public void Two_register_read_timeouts_are_retries_three_are_a_sequence()
    {
        const string timeout = "[ENA_COM: ena_com_reg_bar_read32] reading reg failed for timeout. expected: req id[1] offset[88] actual: req id[57006] offset[0]";
        Assert.Equal(Verdict.Ignorable, DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("two", timeout + "\n" + timeout)]).Verdict);
        Assert.Equal(Verdict.Failure, DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("three", string.Join('\n', timeout, timeout, timeout))]).Verdict);
    }

    [Fact]
    public void A_fault_on_one_device_is_not_cured_by_a_reset_of_another()
    {
        var log = string.Join('\n',
            "ena 0000:00:05.0 eth0: Keep alive watchdog timeout.",
            "ena 0000:00:06.0 eth1: Trigger reset is on",
            "ena 0000:00:06.0: Device reset completed successfully");
        Assert.Equal(Verdict.Failure, DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("log", log)]).Verdict);
    }

    [Fact]
    public void Generic_wordings_need_an_ena_context()
    {
        Assert.Null(LineRules.Match("[ 12.0] e1000e 0000:00:19.0 eth2: Transmit time out"));
        Assert.Null(LineRules.Match("[ 12.0] NETDEV WATCHDOG: eth2 (e1000e): transmit queue 0 timed out"));
        Assert.NotNull(LineRules.Match("[ 12.0] NETDEV WATCHDOG: eth0 (ena): transmit queue 0 timed out"));
        // Newer kernels put the driver prefix first and the CPU in the middle.
        Assert.Null(LineRules.Match("[ 1356.2] r8125 0000:22:04.0 eth4: NETDEV WATCHDOG: CPU: 3: transmit queue 0 timed out 5010 ms"));
        Assert.NotNull(LineRules.Match("[ 1356.2] ena 0000:00:05.0 eth0: NETDEV WATCHDOG: CPU: 3: transmit queue 0 timed out 5010 ms"));
    }

    [Fact]
    public void The_gate_and_anchor_prechecks_never_hide_a_line_a_rule_matches()
    {
        foreach (var fixture in Fixtures.All)
        {
            foreach (var line in File.ReadAllLines(Fixtures.PathOf(fixture.File)))
            {
                if (LineRules.MatchWithoutPrefilters(line) is { } rule)
                {
                    Assert.Same(rule, LineRules.Match(line));
                }
            }
        }
    }

    [Fact]
    public void Line_reader_handles_every_line_ending_and_cuts_endless_lines()
    {
        var endless = new string('x', BoundedLineReader.MaxLineLength * 3);
        var text = "a\r\nb\rc\n\n" + endless + "\nlast";
        string[] expected = ["a", "b", "c", "", endless[..BoundedLineReader.MaxLineLength], "last"];

        Assert.Equal(expected, ReadAll(new BoundedLineReader(new StringReader(text))));
        Assert.Equal(expected, ReadAll(new Utf8LineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), [])));
        // A line end split across the byte reader's refills, and a last line without one.
        Assert.Equal(["x", "y"], ReadAll(new Utf8LineReader(new MemoryStream("\r\ny"u8.ToArray()), "x"u8)));
    }

    private static List<string> ReadAll(ILineSource source)
    {
        var lines = new List<string>();
        while (source.TryReadLine(out var line))
        {
            lines.Add(line.ToString());
        }
        return lines;
    }

    [Fact]
    public void Empty_and_whitespace_inputs_are_reported_as_empty()
    {
        var diagnosis = DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("blank", " \n\t\n"), DiagnosticInput.FromText("nothing", "")]);
        Assert.All(diagnosis.Inputs, i => Assert.Equal(InputKind.Empty, i.Kind));
        Assert.Equal(Verdict.Healthy, diagnosis.Verdict);
    }

    [Fact]
    public void Invalid_utf8_and_lone_surrogates_come_out_as_valid_json()
    {
        var bytes = Encoding.UTF8.GetBytes("ena 0000:00:05.0 eth0: Keep alive watchdog timeout. ").Concat(new byte[] { 0xff, 0xfe, 0xc3 }).ToArray();
        var fromBytes = DiagnosticsEngine.Diagnose([DiagnosticInput.FromStream("bytes", new MemoryStream(bytes))]);
        var fromText = DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("text\uD800", "ena 0000:00:05.0 eth0: Keep alive watchdog timeout. \uDC00")]);

        foreach (var diagnosis in new[] { fromBytes, fromText })
        {
            using var json = JsonDocument.Parse(DiagnosisJson.ToJson(diagnosis));
            Assert.Equal("FAILURE", json.RootElement.GetProperty("verdict").GetString());
        }
    }

    [Fact]
    public void Unrecognised_input_is_never_healthy_and_a_real_failure_still_outranks_it()
    {
        var healthy = DiagnosticInput.FromText("stats", "NIC statistics:\n     wd_expired: 0\n     queue_0_tx_cnt: 9\n");
        var junk = DiagnosticInput.FromText("junk", "\uD800 lone surrogate \uDFFF and nothing else");
        var failure = DiagnosticInput.FromText("dmesg", "ena 0000:00:05.0 eth0: Keep alive watchdog timeout.");

        Assert.Equal(Verdict.Healthy, DiagnosticsEngine.Diagnose([healthy]).Verdict);
        var mixed = DiagnosticsEngine.Diagnose([healthy, junk]);
        Assert.Equal(Verdict.Unrecognised, mixed.Verdict);
        Assert.Equal(FindingCodes.UnrecognisedInput, Assert.Single(mixed.Findings).Code);
        Assert.NotEmpty(DiagnosisJson.ToJson(mixed));
        Assert.Equal(Verdict.Failure, DiagnosticsEngine.Diagnose([junk, failure]).Verdict);
    }

    [Fact]
    public void Another_drivers_counters_are_not_judged_as_enas()
    {
        // be2net and e1000e report tx_timeout too; without an ENA counter beside it, it is not ENA's.
        var stats = DiagnosticInput.FromText("stats", "NIC statistics:\n     tx_timeout: 7\n     rx_crc_errors: 0\n");
        var diagnosis = DiagnosticsEngine.Diagnose([stats]);

        Assert.Equal(Verdict.NotEna, diagnosis.Verdict);
        Assert.Equal([FindingCodes.OtherDriverStatistics], diagnosis.Findings.Select(f => f.Code));
        // The same counter next to an ENA counter is ENA's, whichever comes first.
        var ena = DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("stats", "NIC statistics:\n     tx_timeout: 7\n     total_resets: 0\n")]);
        Assert.Equal([FindingCodes.TxTimeout], ena.Findings.Select(f => f.Code));
    }

    [Theory]
    [InlineData(599, true)]
    [InlineData(601, false)]
    public void Two_completed_resets_are_a_loop_only_inside_the_window(int secondsApart, bool loop)
    {
        static string Reset(int at) => $"[{at}.000000] ena 0000:00:05.0 eth0: Trigger reset is on\n[{at}.500000] ena 0000:00:05.0: Device reset completed successfully\n";
        var diagnosis = DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("log", Reset(1000) + Reset(1000 + secondsApart))]);

        Assert.Equal(Verdict.ResetRecovered, diagnosis.Verdict);
        Assert.Equal(loop, diagnosis.Findings.Any(f => f.Code == FindingCodes.ResetLoop));
    }

    [Fact]
    public void A_soft_lockup_alone_is_no_ena_finding_and_ena_frames_alone_are_no_crash()
    {
        const string lockup = "[ 10.0] watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [kworker/3:1:2261]";
        const string frame = "[ 11.0]  ena_io_poll+0x118/0x3e0 [ena]";
        Assert.Empty(DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("log", lockup + "\n" + frame)]).Findings);
    }

    [Fact]
    public void Utf16_files_with_a_byte_order_mark_are_read()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "[ 1.0] ena 0000:00:05.0 eth0: Keep alive watchdog timeout.\n", Encoding.Unicode);
            var diagnosis = DiagnosticsEngine.Diagnose([DiagnosticInput.FromFile(path)]);

            Assert.Equal(Verdict.Failure, diagnosis.Verdict);
            Assert.Equal(InputKind.KernelLog, diagnosis.Inputs.Single().Kind);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("[ 9121.004811] ena 0000:00:05.0 eth0: x", "ena 0000:00:05.0 eth0: x")]
    [InlineData("[  +0.005106] ena: x", "ena: x")]
    [InlineData("<3>[  131.060016] ena: x", "ena: x")]
    [InlineData("Nov 27 03:12:45 ip-10-0-1-17 kernel: ena: x", "ip-10-0-1-17 kernel: ena: x")]
    [InlineData("2026-11-27T03:12:45+0000 ip-10-0-1-17 kernel: ena: x", "ip-10-0-1-17 kernel: ena: x")]
    [InlineData("[ENA_COM: ena_com_admin_init] x", "[ENA_COM: ena_com_admin_init] x")]
    [InlineData("[  OK  ] Started Journal Service.", "[  OK  ] Started Journal Service.")]
    [InlineData("Nov 27 is not a time", "Nov 27 is not a time")]
    public void The_message_memo_keys_on_the_line_without_its_timestamp_only(string line, string message)
    {
        Assert.Equal(message, MessageMemo.Message(line).ToString());
    }

    [Fact]
    public void The_message_memo_is_exact_whatever_lands_in_the_same_slot()
    {
        var memo = new MessageMemo();
        memo.Remember("[ 1.000000] ena 0000:00:05.0 eth0: Keep alive watchdog timeout.", 7);

        Assert.Equal(7, memo.Find("[ 2.500000] ena 0000:00:05.0 eth0: Keep alive watchdog timeout."));
        // Thousands of other messages: many share the slot, none is taken for the remembered one.
        for (var i = 0; i < 5000; i++)
        {
            Assert.Equal(MessageMemo.Unknown, memo.Find($"[ 1.000000] ena 0000:00:05.0 eth0: message {i}"));
        }
        Assert.Equal(MessageMemo.Unknown, memo.Find(new string('x', 300))); // too long to remember
    }

    [Fact]
    public void Counter_dump_lines_are_told_from_messages_that_end_with_a_field()
    {
        Assert.True(CounterDumpLine.Is("[86492.855833] ena 0000:00:05.0 ens5: tx_timeout: 1"));
        Assert.True(CounterDumpLine.Is("queue_0_tx_cnt: 12"));
        Assert.False(CounterDumpLine.Is("ena 0000:00:06.0 eth1: Bad req_id in descriptor #4 on q_id: 3, req_id: 1024"));
        Assert.False(CounterDumpLine.Is("ena 0000:00:05.0 eth0: Keep alive watchdog timeout."));
        Assert.Equal("0000:00:06.0", PciAddress.Find("[1.0] ena 0000:00:06.0 eth1: x").ToString());
        Assert.True(PciAddress.Find("[1.0] ena: no address 12:34:56 here").IsEmpty);
    }

    [Fact]
    public void Kernel_versions_sort_numerically()
    {
        string[] kernels = ["6.1.0-10-amd64", "5.10.0-33-amd64", "6.1.0-9-amd64", "6.1.0-56-amd64"];
        Assert.Equal(["5.10.0-33-amd64", "6.1.0-9-amd64", "6.1.0-10-amd64", "6.1.0-56-amd64"], kernels.Order(KernelVersionComparer.Instance));
    }
}
