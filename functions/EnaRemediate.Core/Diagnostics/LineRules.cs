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

/// <param name="Anchors">
/// Literal words (case-insensitive) of which every match of <paramref name="Pattern"/> contains at
/// least one: a cheap vectorised check that spares the regex on almost every line.
/// </param>
internal sealed record LineRule(LineEvent Event, string Code, string[] Anchors, string Pattern, bool NeedsEnaContext = false,
    FindingEffect Effect = FindingEffect.Advice, Severity Severity = Severity.Info)
{
    public SearchValues<string> AnchorValues { get; } = SearchValues.Create(Anchors, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The wordings the ena driver, the kernel, dkms and kbuild have used, grouped by family
/// (FACTS.md §3; the driver reworded most messages between 1.x and 2.17, so each family lists
/// several). Matching is case-insensitive and anywhere in the line, so any prefix (dmesg,
/// journalctl, syslog, serial console, `ena 0000:00:05.0 eth0:`, `[ENA_COM: func]`) works and a
/// line cut at its start still matches. Patterns are compiled once; they are plain alternations of
/// literals with only bounded gaps (.{0,N}) and no nested quantifiers, so no input can make them
/// backtrack catastrophically, and lines are cut at 64 Ki characters before they get here.
/// </summary>
internal static class LineRules
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled;

    /// <summary>First match wins, so specific wordings come before the generic ones they overlap.</summary>
    public static readonly IReadOnlyList<LineRule> All =
    [
        // Known-benign first: "failed to alloc buffer for rx queue" must not read as an allocation failure.
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, ["host attribute"], @"set host attribute isn'?t supported|can ?not set host attributes|failed to set host attributes", Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, ["alloc buffer"], @"failed to alloc buffer for rx queue", Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, ["supported"], @"(feature|capability) \d+ isn'?t supported", Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, ["aenq"], @"failed to config aenq|trying to set unsupported aenq events|can'?t get aenq configuration", Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, ["command parameter"], @"command parameter \d+ is not supported", Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, ["taint", "verification failed"], @"out-of-tree module taints kernel|module verification failed|tainting kernel", NeedsEnaContext: true, Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, ["llq", "fallback to host", "lpc", "local page cache"], @"llq is not supported|fallback to host mode|failed to set llq configurations|\blpc\b.{0,60}(disabled|not supported)|local page cache is disabled", NeedsEnaContext: true, Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.SuboptimalConfiguration, ["optimal configuration"], @"sub-?optimal configuration notification"),

        // Loading a module built for another kernel: the project's core failure mode.
        new(LineEvent.Fixed, FindingCodes.KernelApiMismatch, ["disagrees about version", "unknown symbol", "version magic", "invalid module format", "could not insert"], @"\bena: (disagrees about version of symbol|unknown symbol|version magic)|ena\.ko.{0,120}invalid module format|could not insert 'ena'", Effect: FindingEffect.NotReady, Severity: Severity.Error),
        new(LineEvent.Fixed, FindingCodes.ModuleMissing, ["module ena not found", "ena module is not available"], @"module ena not found|ena module is not available", Effect: FindingEffect.NotReady, Severity: Severity.Error),

        // Build output (dkms, kbuild, the ena Makefile).
        new(LineEvent.Fixed, FindingCodes.HeadersMissing, ["no rule to make target", "kernel headers", "/build: no such"], @"no rule to make target .?modules|kernel headers for kernel \S+ cannot be found|your kernel headers .{0,80}cannot be found|/lib/modules/\S+/build: no such file or directory", Effect: FindingEffect.BuildFailure, Severity: Severity.Error),
        new(LineEvent.Fixed, FindingCodes.KernelApiMismatch, ["modpost", "implicit declaration", "has no member", "arguments to function", "error: "], @"modpost: .{0,200}undefined!|implicit declaration of function|has no member named|too (few|many) arguments to function|error: .{0,200}(undeclared|incompatible pointer type)|error: (unknown type name|conflicting types for)", Effect: FindingEffect.BuildFailure, Severity: Severity.Error),
        new(LineEvent.Fixed, FindingCodes.BuildFailed, ["bad return status", "error! build", "***", "dkms"], @"bad return status for module build|error! build of \S+ failed|make(\[\d+\])?: \*\*\* .{0,300}error \d+|dkms .{0,40}(build|install) .{0,40}failed", Effect: FindingEffect.BuildFailure, Severity: Severity.Error),

        // Runtime families.
        new(LineEvent.ResetSucceeded, FindingCodes.ResetRecovered, ["reset completed"], @"device reset completed successfully"),
        new(LineEvent.ResetStatus, FindingCodes.ResetRecovered, ["reset completed"], @"device reset completed, status: ?-?\d+"),
        new(LineEvent.ResetFailed, FindingCodes.ResetFailed, ["reset attempt failed", "reset failed", "reset device", "reset the device", "reset indication"], @"reset attempt failed|device reset failed|can ?not reset (the )?device|can'?t reset device|reset indication didn'?t turn (on|off)"),
        new(LineEvent.ResetTriggered, FindingCodes.ResetRecovered, ["trigger"], @"trigger reset is on|trigger(ed)? (a )?(device )?reset"),
        new(LineEvent.ProbeSucceeded, FindingCodes.ResetRecovered, ["found at mem"], @"elastic network adapter \(ena\) found at mem"),
        new(LineEvent.InitFailed, FindingCodes.DeviceInitFailed, ["init failed", "abort com init", "too low", "probe with driver", "probe of"], @"ena device init failed|device isn'?t ready, abort com init|device version is too low|probe with driver ena failed|\bena: probe of \S+ failed"),
        new(LineEvent.InitFailed, FindingCodes.DeviceInitFailed, ["initiali", "register net device", "i/o queues"], @"can ?not initiali[sz]e (the )?device|cannot register net device|failed to create i/o queues", NeedsEnaContext: true),
        new(LineEvent.MmioReadTimeout, FindingCodes.MmioReadTimeout, ["reg failed", "timeout occurred"], @"reading reg failed for timeout|reg read(32)? timeout occurred"),
        new(LineEvent.Fault, FindingCodes.KeepAliveTimeout, ["alive"], @"keep[ -]?alive (watchdog |event )?time ?out|alive watchdog time ?out"),
        new(LineEvent.Fault, FindingCodes.MissingTxCompletions, ["t completed", "tx completion"], @"found a tx that wasn'?t completed on time|tx hasn'?t completed|missed tx completions|lost tx completions? (are|is) above|number of lost tx completions? is above"),
        new(LineEvent.Fault, FindingCodes.TxTimeout, ["paused for too long"], @"tx q(ueue)? ?\d+ is paused for too long"),
        new(LineEvent.Fault, FindingCodes.TxTimeout, ["netdev watchdog", "transmit time"], @"netdev watchdog: .{0,120}transmit queue \d+ timed out|transmit time ?out", NeedsEnaContext: true),
        new(LineEvent.Fault, FindingCodes.AdminQueueTimeout, ["admin queue", "admin cmd", "admin command", "msi-x interrupt", "msix interrupt"], @"admin queue is not in running state|didn'?t send a completion for the admin cmd|didn'?t receive a msi-?x interrupt|no completion for admin (cmd|command)"),
        new(LineEvent.Fault, FindingCodes.MsixIssue, ["msix", "msi-x"], @"potential msi-?x issue|failed to enable msi-?x|can ?not reserve msi-?x vectors"),
        new(LineEvent.Fault, FindingCodes.MsixIssue, ["msix", "msi-x"], @"enable msi-?x failed", NeedsEnaContext: true),
        new(LineEvent.Fault, FindingCodes.BadReqId, ["req_id", "req id", "reqid", "tx_info"], @"invalid (rx |tx )?req[ _]?id|tx_info doesn'?t have valid"),
        new(LineEvent.Fixed, FindingCodes.AllocationFailure, ["alloc buffer", "allocate buffer", "refilling queue", "refilled rx qid", "not enough memory"], @"failed to allocate buffer for rx queue|refilling queue \d+ failed|refilled rx qid \d+ with only|not enough memory to create queues", Effect: FindingEffect.Benign, Severity: Severity.Warning),
        new(LineEvent.Fixed, FindingCodes.AllocationFailure, ["allocation failed"], @"(rx|tx) queue \d+: allocation failed|memory allocation failed", NeedsEnaContext: true, Effect: FindingEffect.Benign, Severity: Severity.Warning),
    ];

    private static readonly Regex[] Compiled = All.Select(rule => new Regex(rule.Pattern, Options)).ToArray();

    /// <summary>Every rule's anchors at once: a line with none of them (nearly all kernel noise) is skipped.</summary>
    private static readonly SearchValues<string> AnyAnchor = SearchValues.Create(
        All.SelectMany(rule => rule.Anchors).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), StringComparison.OrdinalIgnoreCase);

    /// <summary>"ena" as a word (ena:, ena 0000:, (ena), ENA_COM, ENA device) for the generic wordings.</summary>
    private static readonly Regex EnaContext = new(@"(^|[^a-z0-9])ena([^a-z0-9]|$)|ena_com", Options);

    /// <summary>A statistics dump line (`eth1: tx_timeout: 0`): the driver prints these on reset; not events.</summary>
    private static readonly Regex CounterDump = new(@"(^|\s)[a-z][a-z0-9]*_[a-z0-9_]*: -?\d+\s*$", Options);

    private static readonly Regex PciAddress = new(@"[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]", Options);

    public static LineRule? Match(string line) => line.AsSpan().ContainsAny(AnyAnchor) ? MatchRules(line, checkAnchors: true) : null;

    /// <param name="checkAnchors">false runs every regex (tests use it to prove the anchors hide nothing).</param>
    internal static LineRule? MatchRules(string line, bool checkAnchors)
    {
        if (CounterDump.IsMatch(line))
        {
            return null;
        }
        for (var i = 0; i < Compiled.Length; i++)
        {
            var rule = All[i];
            if ((!checkAnchors || line.AsSpan().ContainsAny(rule.AnchorValues))
                && Compiled[i].IsMatch(line)
                && (!rule.NeedsEnaContext || EnaContext.IsMatch(line)))
            {
                return rule;
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
