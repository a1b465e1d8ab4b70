using System.Text;
using CsCheck;
using EnaRemediate.Core.Diagnostics;

namespace EnaRemediate.Core.Tests.Diagnostics;

/// <summary>Whatever a host hands us, the engine answers; and kernel noise never changes the answer.</summary>
public class PropertyTests
{
    /// <summary>Unrelated lines a busy host logs between ENA messages, in every prefix style.</summary>
    private static readonly string[] Noise =
    [
        "[ 1201.334455] EXT4-fs (nvme0n1p1): re-mounted. Opts: discard,errors=remount-ro. Quota mode: none.",
        "[  +0.000412] audit: type=1400 audit(1764213160.120:41): apparmor=\"STATUS\" operation=\"profile_load\"",
        "Nov 27 03:12:45 ip-10-0-1-17 kernel: IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
        "2026-11-27T03:12:45+0000 ip-10-0-1-17 kernel: nvme nvme0: 2/0/0 default/read/poll queues",
        "<6>[   12.000001] systemd[1]: Started Journal Service.",
        "[Fri Nov 27 03:12:45 2026] random: crng init done",
        "[ 4000.000000] TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.",
        "[ 4000.100000] xen_netfront: Initialising Xen virtual ethernet driver",
        "[ 4000.200000] usb 1-1: new high-speed USB device number 2 using ehci-pci",
        "",
        "ci-info: +++++++++++++++++++++++Net device info++++++++++++++++++++++++",
        "[ 4000.300000] CPU: 1 PID: 0 Comm: swapper/1 Tainted: G           OE      6.1.0-56-amd64 #1",
    ];

    [Fact]
    public void Arbitrary_bytes_never_throw_and_always_serialise()
    {
        Gen.Byte.Array[0, 3000].Sample(bytes =>
        {
            var diagnosis = DiagnosticsEngine.Diagnose([DiagnosticInput.FromStream("bytes", new MemoryStream(bytes))]);
            Assert.Single(diagnosis.Inputs);
            Assert.NotEmpty(DiagnosisJson.ToJson(diagnosis));
        }, iter: 400, threads: 1);
    }

    [Fact]
    public void Arbitrary_text_built_from_driver_words_never_throws()
    {
        var words = Gen.OneOf<string>("ena", "0000:00:05.0", "eth0:", "[ENA_COM:", "Keep", "alive", "watchdog", "timeout", "Trigger",
            "reset", "is", "on", "Device", "completed", "successfully,", "status:", "-5", "{", "}", "\"kernels\"", "\"status\"", ":", "[",
            "]", "\n", "\r", "NIC statistics:", "tx_timeout:", "99999999999999999999", "reading reg failed for timeout", "\uD800", "é");
        words.Array[0, 200].Select(parts => string.Join(' ', parts)).Sample(text =>
        {
            var diagnosis = DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("words", text)]);
            Assert.NotEmpty(DiagnosisJson.ToJson(diagnosis));
        }, iter: 400, threads: 1);
    }

    [Fact]
    public void Mutated_fixtures_never_throw()
    {
        var documents = Fixtures.All.Select(f => File.ReadAllBytes(Fixtures.PathOf(f.File))).ToArray();
        var mutation = Gen.Select(Gen.Int[0, documents.Length - 1], Gen.Int[0, int.MaxValue], Gen.Int[0, 3], Gen.Byte);
        mutation.Sample((index, at, kind, value) =>
        {
            var bytes = documents[index].ToArray();
            var position = bytes.Length == 0 ? 0 : at % bytes.Length;
            var mutated = kind switch
            {
                0 => bytes[..position],                                     // cut short
                1 => [.. bytes[..position], value, .. bytes[position..]],    // insert a byte
                2 => bytes.Length == 0 ? bytes : [.. bytes[..position], .. bytes[(position + 1)..]], // drop a byte
                _ => Flip(bytes, position, value),                          // overwrite a byte
            };
            var diagnosis = DiagnosticsEngine.Diagnose([DiagnosticInput.FromStream("mutated", new MemoryStream(mutated))]);
            Assert.NotEmpty(DiagnosisJson.ToJson(diagnosis));
        }, iter: 400, threads: 1);
    }

    [Fact]
    public void Shuffling_noise_into_a_kernel_log_does_not_change_its_verdict_or_codes()
    {
        // Not the wrapped-line fixtures: a line inserted between a wrapped line and its rest really does cut it in two.
        var logs = Fixtures.All.Where(f => f.Kind == "kernel_log" && f.Baseline is null && !f.File.Contains("wrapped", StringComparison.Ordinal)).ToArray();
        var gen = Gen.Select(Gen.Int[0, logs.Length - 1], Gen.Int[0, Noise.Length - 1].Array[1, 40], Gen.Int[0, 1000].Array[40]);
        gen.Sample((index, noise, positions) =>
        {
            var fixture = logs[index];
            var lines = File.ReadAllLines(Fixtures.PathOf(fixture.File)).ToList();
            for (var i = 0; i < noise.Length; i++)
            {
                lines.Insert(positions[i] % (lines.Count + 1), Noise[noise[i]]);
            }
            var diagnosis = DiagnosticsEngine.Diagnose([DiagnosticInput.FromText(fixture.File, string.Join('\n', lines))]);

            Assert.Equal(fixture.Verdict, diagnosis.Verdict.ToWireName());
            Assert.Equal(fixture.Codes.Order(StringComparer.Ordinal), diagnosis.Findings.Select(f => f.Code).Order(StringComparer.Ordinal));
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void Long_logs_judged_through_the_message_memo_say_what_short_ones_say()
    {
        // Past a few thousand lines the analyzer answers repeated messages from its memo: every
        // kernel-log fixture, after enough repeated noise and ENA lines to switch it on, keeps its
        // verdict and codes, and the repeated lines are all counted.
        const int repeats = 3000;
        var preamble = new StringBuilder();
        for (var i = 0; i < repeats; i++)
        {
            preamble.Append("[ ").Append(i).Append(".000000] ").Append(Noise[i % 3].AsSpan(Noise[i % 3].IndexOf(']') + 2)).Append('\n');
            preamble.Append("[ ").Append(i).Append(".000001] [ENA_COM: ena_com_set_host_attributes] Set host attribute isn't supported\n");
        }
        foreach (var fixture in Fixtures.All.Where(f => f.Kind == "kernel_log" && f.Baseline is null))
        {
            // A blank line between: a fixture that starts with a cut line must not read as the rest of the preamble's last line.
            var text = preamble + "\n" + File.ReadAllText(Fixtures.PathOf(fixture.File));
            var diagnosis = DiagnosticsEngine.Diagnose([DiagnosticInput.FromStream(fixture.File, new MemoryStream(Encoding.UTF8.GetBytes(text)))]);

            Assert.Equal(fixture.Verdict == "HEALTHY" ? "IGNORABLE" : fixture.Verdict, diagnosis.Verdict.ToWireName());
            Assert.Equal(fixture.Codes.Append(FindingCodes.IgnorableWarning).Distinct().Order(StringComparer.Ordinal),
                diagnosis.Findings.Select(f => f.Code).Order(StringComparer.Ordinal));
            Assert.True(diagnosis.Findings.Single(f => f.Code == FindingCodes.IgnorableWarning).Occurrences >= repeats);
        }
    }

    [Fact]
    public void Noise_lines_alone_are_healthy()
    {
        var diagnosis = DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("noise", string.Join('\n', Noise))]);
        Assert.Equal(Verdict.Healthy, diagnosis.Verdict);
        Assert.Empty(diagnosis.Findings);
    }

    [Fact]
    public void Evidence_stays_bounded_on_a_huge_repetitive_log()
    {
        var log = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            log.Append("[ ").Append(i).Append(".000000] ena 0000:00:05.0 eth0: Found a Tx that wasn't completed on time, qid 1, index ").Append(i).Append('\n');
        }
        var finding = DiagnosticsEngine.Diagnose([DiagnosticInput.FromText("huge", log.ToString())]).Findings.Single();

        Assert.Equal(FindingCodes.MissingTxCompletions, finding.Code);
        Assert.Equal(FindingCollector.MaxEvidence, finding.Evidence.Count);
        Assert.Equal(20_000, finding.Occurrences);
    }

    private static byte[] Flip(byte[] bytes, int position, byte value)
    {
        if (bytes.Length > 0)
        {
            bytes[position] = value;
        }
        return bytes;
    }
}
