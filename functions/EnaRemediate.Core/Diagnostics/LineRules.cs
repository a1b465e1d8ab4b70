using System.Buffers;
using System.Text.RegularExpressions;

namespace EnaRemediate.Core.Diagnostics;

/// <summary>What a recognised line means to the fault timeline or to the build/readiness judgement.</summary>
internal enum LineEvent
{
    /// <summary>A runtime fault; recovered or not is decided by what follows (FaultTimeline).</summary>
    Fault,
    MmioReadTimeout,
    ResetTriggered,
    ResetSucceeded,
    /// <summary>"Device reset completed, status: N": success when N is 0.</summary>
    ResetStatus,
    ResetFailed,
    ProbeSucceeded,
    InitFailed,
    /// <summary>A finding with a fixed effect that does not take part in the timeline.</summary>
    Fixed,
}

internal sealed record LineRule(LineEvent Event, string Code, string Pattern, bool NeedsEnaContext = false,
    FindingEffect Effect = FindingEffect.Advice, Severity Severity = Severity.Info);

/// <summary>
/// The wordings the ena driver, the kernel, dkms and kbuild have used, grouped by family
/// (FACTS.md §3; the driver reworded most messages between 1.x and 2.17, so each family lists
/// several). Matching is case-insensitive and anywhere in the line, so any prefix (dmesg,
/// journalctl, syslog, serial console, `ena 0000:00:05.0 eth0:`, `[ENA_COM: func]`) works and a
/// line cut at its start still matches. All patterns are compiled once with the non-backtracking
/// engine: linear time on any input, no catastrophic backtracking.
/// </summary>
internal static class LineRules
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    /// <summary>First match wins, so specific wordings come before the generic ones they overlap.</summary>
    public static readonly IReadOnlyList<LineRule> All =
    [
        // Known-benign first: "failed to alloc buffer for rx queue" must not read as an allocation failure.
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, @"set host attribute isn'?t supported|can ?not set host attributes|failed to set host attributes", Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, @"failed to alloc buffer for rx queue", Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, @"(feature|capability) \d+ isn'?t supported", Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, @"failed to config aenq|trying to set unsupported aenq events|can'?t get aenq configuration", Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, @"command parameter \d+ is not supported", Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, @"out-of-tree module taints kernel|module verification failed|tainting kernel", NeedsEnaContext: true, Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, @"llq is not supported|fallback to host mode|failed to set llq configurations|\blpc\b.{0,60}(disabled|not supported)", NeedsEnaContext: true, Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.SuboptimalConfiguration, @"sub-?optimal configuration notification"),

        // Loading a module built for another kernel: the project's core failure mode.
        new(LineEvent.Fixed, FindingCodes.KernelApiMismatch, @"\bena: (disagrees about version of symbol|unknown symbol|version magic)|ena\.ko.{0,120}invalid module format|could not insert 'ena'", Effect: FindingEffect.NotReady, Severity: Severity.Error),
        new(LineEvent.Fixed, FindingCodes.ModuleMissing, @"module ena not found|ena module is not available", Effect: FindingEffect.NotReady, Severity: Severity.Error),

        // Build output (dkms, kbuild, the ena Makefile).
        new(LineEvent.Fixed, FindingCodes.HeadersMissing, @"no rule to make target .?modules|kernel headers for kernel \S+ cannot be found|your kernel headers .{0,80}cannot be found|/lib/modules/\S+/build: no such file or directory", Effect: FindingEffect.BuildFailure, Severity: Severity.Error),
        new(LineEvent.Fixed, FindingCodes.KernelApiMismatch, @"modpost: .{0,200}undefined!|implicit declaration of function|has no member named|too (few|many) arguments to function|error: .{0,200}(undeclared|incompatible pointer type)|error: (unknown type name|conflicting types for)", Effect: FindingEffect.BuildFailure, Severity: Severity.Error),
        new(LineEvent.Fixed, FindingCodes.BuildFailed, @"bad return status for module build|error! build of \S+ failed|make(\[\d+\])?: \*\*\* .{0,300}error \d+|dkms .{0,40}(build|install) .{0,40}failed", Effect: FindingEffect.BuildFailure, Severity: Severity.Error),

        // Runtime families.
        new(LineEvent.ResetSucceeded, FindingCodes.ResetRecovered, @"device reset completed successfully"),
        new(LineEvent.ResetStatus, FindingCodes.ResetRecovered, @"device reset completed, status: ?-?\d+"),
        new(LineEvent.ResetFailed, FindingCodes.ResetFailed, @"reset attempt failed|device reset failed|can ?not reset (the )?device|can'?t reset device|reset indication didn'?t turn (on|off)"),
        new(LineEvent.ResetTriggered, FindingCodes.ResetRecovered, @"trigger reset is on|trigger(ed)? (a )?(device )?reset"),
        new(LineEvent.ProbeSucceeded, FindingCodes.ResetRecovered, @"elastic network adapter \(ena\) found at mem"),
        new(LineEvent.InitFailed, FindingCodes.DeviceInitFailed, @"ena device init failed|device isn'?t ready, abort com init|device version is too low|probe with driver ena failed|\bena: probe of \S+ failed"),
        new(LineEvent.InitFailed, FindingCodes.DeviceInitFailed, @"can ?not initiali[sz]e (the )?device|cannot register net device|failed to create i/o queues", NeedsEnaContext: true),
        new(LineEvent.MmioReadTimeout, FindingCodes.MmioReadTimeout, @"reading reg failed for timeout|reg read(32)? timeout occurred"),
        new(LineEvent.Fault, FindingCodes.KeepAliveTimeout, @"keep[ -]?alive (watchdog |event )?time ?out|alive watchdog time ?out"),
        new(LineEvent.Fault, FindingCodes.MissingTxCompletions, @"found a tx that wasn'?t completed on time|tx hasn'?t completed|missed tx completions|lost tx completions? (are|is) above|number of lost tx completions? is above"),
        new(LineEvent.Fault, FindingCodes.TxTimeout, @"tx q(ueue)? ?\d+ is paused for too long"),
        new(LineEvent.Fault, FindingCodes.TxTimeout, @"netdev watchdog: .{0,120}transmit queue \d+ timed out|transmit time ?out", NeedsEnaContext: true),
        new(LineEvent.Fault, FindingCodes.AdminQueueTimeout, @"admin queue is not in running state|didn'?t send a completion for the admin cmd|didn'?t receive a msi-?x interrupt|no completion for admin (cmd|command)"),
        new(LineEvent.Fault, FindingCodes.MsixIssue, @"potential msi-?x issue|failed to enable msi-?x|can ?not reserve msi-?x vectors"),
        new(LineEvent.Fault, FindingCodes.MsixIssue, @"enable msi-?x failed", NeedsEnaContext: true),
        new(LineEvent.Fault, FindingCodes.BadReqId, @"invalid (rx |tx )?req[ _]?id|tx_info doesn'?t have valid"),
        new(LineEvent.Fixed, FindingCodes.AllocationFailure, @"failed to allocate buffer for rx queue|refilling queue \d+ failed|refilled rx qid \d+ with only|not enough memory to create queues", Effect: FindingEffect.Benign, Severity: Severity.Warning),
        new(LineEvent.Fixed, FindingCodes.AllocationFailure, @"(rx|tx) queue \d+: allocation failed|memory allocation failed", NeedsEnaContext: true, Effect: FindingEffect.Benign, Severity: Severity.Warning),
    ];

    private static readonly Regex[] Compiled = All.Select(rule => new Regex(rule.Pattern, Options)).ToArray();

    /// <summary>
    /// A cheap vectorised pre-check: every pattern above contains at least one of these words, so a
    /// line with none of them (nearly all kernel noise) is skipped without running a regex.
    /// LineRulesTests proves it against every fixture line that a rule matches.
    /// </summary>
    private static readonly SearchValues<string> Anchors = SearchValues.Create(
    [
        "host attribute", "alloc", "supported", "aenq", "taint", "verification failed", "llq", "fallback to host",
        "optimal configuration", "symbol", "version magic", "invalid module format", "could not insert",
        "module ena not found", "ena module is not available", "no rule to make target", "kernel headers",
        "/build: no such", "modpost", "implicit declaration", "has no member", "arguments to function", "error",
        "bad return status", "dkms", "reset", "found at mem", "init failed", "abort com init", "too low", "probe",
        "initiali", "register net device", "i/o queues", "reg failed", "timeout occurred", "alive", "complet",
        "paused for too long", "netdev watchdog", "transmit time", "admin", "msi", "req_id", "req id", "reqid",
        "tx_info", "refill", "not enough memory", "lpc",
    ], StringComparison.OrdinalIgnoreCase);

    /// <summary>"ena" as a word (ena:, ena 0000:, (ena), ENA_COM, ENA device) for the generic wordings.</summary>
    private static readonly Regex EnaContext = new(@"(^|[^a-z0-9])ena([^a-z0-9]|$)|ena_com", Options);

    /// <summary>A statistics dump line (`eth1: tx_timeout: 0`): the driver prints these on reset; not events.</summary>
    private static readonly Regex CounterDump = new(@"(^|\s)[a-z][a-z0-9]*_[a-z0-9_]*: -?\d+\s*$", Options);

    private static readonly Regex PciAddress = new(@"[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]", Options);

    public static LineRule? Match(string line)
    {
        return line.AsSpan().ContainsAny(Anchors) ? MatchRules(line) : null;
    }

    /// <summary>The rules alone, without the anchor pre-check (tests compare the two).</summary>
    internal static LineRule? MatchRules(string line)
    {
        if (CounterDump.IsMatch(line))
        {
            return null;
        }
        for (var i = 0; i < Compiled.Length; i++)
        {
            if (Compiled[i].IsMatch(line) && (!All[i].NeedsEnaContext || EnaContext.IsMatch(line)))
            {
                return All[i];
            }
        }
        return null;
    }

    /// <summary>The PCI address of the device a line is about, when it names one.</summary>
    public static string? Device(string line)
    {
        var match = PciAddress.Match(line);
        return match.Success ? match.Value : null;
    }
}
