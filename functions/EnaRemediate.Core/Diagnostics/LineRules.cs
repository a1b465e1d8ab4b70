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
    /// <summary>The first line of a kernel crash report (BUG, Oops, general protection fault, panic).</summary>
    CrashStarted,
    /// <summary>A stack frame or RIP/pc inside the ena module; makes an open crash report ena's.</summary>
    CrashInEna,
    /// <summary>A soft lockup, RCU stall or starved NAPI: a root cause when TX faults are near (RootCauses).</summary>
    Starvation,
    /// <summary>A finding with a fixed effect that does not take part in the timeline.</summary>
    Fixed,
}

/// <param name="Anchors">
/// Literal words (case-insensitive) of which every match of <paramref name="Pattern"/> contains at
/// least one: a cheap vectorised check that spares the regex on almost every line.
/// </param>
internal sealed record LineRule(LineEvent Event, string Code, string[] Anchors, string Pattern, bool NeedsEnaContext = false,
    FindingEffect Effect = FindingEffect.Advice, Severity Severity = Severity.Info);

/// <summary>
/// The wordings the ena driver, the kernel, dkms, kbuild, the compilers and the module tools have
/// used, grouped by family (FACTS.md §3; the driver reworded most messages between 1.x and 2.17, so
/// each family lists several). Matching is case-insensitive and anywhere in the line, so any prefix
/// (dmesg, journalctl, syslog, serial console, `ena 0000:00:05.0 eth0:`, `[ENA_COM: func]`) works
/// and a line cut at its start still matches. Patterns are compiled once; they are plain
/// alternations of literals with only bounded gaps (.{0,N}) and no nested quantifiers, so no input
/// can make them backtrack catastrophically, and lines are cut at 64 Ki characters before they get here.
/// Lines are matched as spans: nothing is allocated for a line that no rule wants.
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
        // LLQ/LPC notices, including 2.12+'s "performing fallback" and "advertised as supported but" wordings.
        new(LineEvent.Fixed, FindingCodes.IgnorableWarning, ["llq", "fallback to host", "lpc", "local page cache"], @"llq is not supported|fallback to host mode|failed to set llq configurations|llq .{0,60}performing fallback|llq is advertised as supported but|large llq is disabled|\blpc\b.{0,60}(disabled|not supported)|local page cache is disabled", NeedsEnaContext: true, Effect: FindingEffect.Benign),
        new(LineEvent.Fixed, FindingCodes.SuboptimalConfiguration, ["optimal configuration"], @"sub-?optimal configuration notification"),

        // Loading a module built for another kernel: the project's core failure mode (modprobe, insmod, busybox, the kernel).
        new(LineEvent.Fixed, FindingCodes.KernelApiMismatch, ["disagrees about version", "unknown symbol", "version magic", "invalid module format", "could not insert", "insert '", "section size"],
            @"\bena: (disagrees about version of symbol|unknown symbol|version magic)|ena\.ko.{0,120}invalid module format|could not insert 'ena'|could not insert module \S{0,200}\bena\.ko: (unknown symbol|invalid module format|exec format error)|can'?t insert '\S{0,200}\bena\.ko': (unknown symbol|invalid module format)|\bena: \.gnu\.linkonce\.this_module section size must match",
            Effect: FindingEffect.NotReady, Severity: Severity.Error),
        new(LineEvent.Fixed, FindingCodes.ModuleMissing, ["module ena not found", "ena module is not available", "could not load module"], @"module ena not found|ena module is not available|could not load module \S{0,200}\bena\.ko: no such file", Effect: FindingEffect.NotReady, Severity: Severity.Error),

        // Build output (dkms, kbuild, the ena Makefile, gcc and clang).
        new(LineEvent.Fixed, FindingCodes.HeadersMissing, ["no rule to make target", "kernel headers", "/build: no such"], @"no rule to make target .?modules|kernel headers for kernel \S+ cannot be found|your kernel headers .{0,80}cannot be found|/lib/modules/\S+/build: no such file or directory", Effect: FindingEffect.BuildFailure, Severity: Severity.Error),
        new(LineEvent.Fixed, FindingCodes.KernelApiMismatch, ["modpost", "implicit declaration", "has no member", "arguments to function", "error: ", "arguments, but takes"],
            @"modpost: .{0,200}undefined!|implicit declaration of function|has no member named|too (few|many) arguments to function|error: .{0,200}(undeclared|incompatible pointer type)|error: (unknown type name|conflicting types for)|error: macro .{0,80} passed \d+ arguments, but takes just \d+",
            Effect: FindingEffect.BuildFailure, Severity: Severity.Error),
        // Any other compiler error: the driver's source does not compile against these headers.
        new(LineEvent.Fixed, FindingCodes.CompileError, ["error: ", "compilation terminated", "errors generated", "error generated"],
            @"\.(c|h|s):\d+(:\d+)?: (fatal )?error: |\bcc1: (fatal )?error: |compilation terminated|\b\d+ errors? generated\.",
            Effect: FindingEffect.BuildFailure, Severity: Severity.Error),
        new(LineEvent.Fixed, FindingCodes.BuildFailed, ["bad return status", "error! build", "***", "dkms"], @"bad return status for module build|error! build of \S+ failed|make(\[\d+\])?: \*\*\* .{0,300}error \d+|dkms .{0,40}(build|install) .{0,40}failed", Effect: FindingEffect.BuildFailure, Severity: Severity.Error),

        // Root causes: reported only beside TX faults (RootCauses). Before the crash rule: "BUG: soft lockup" is no crash.
        new(LineEvent.Starvation, FindingCodes.CpuStarvation, ["soft lockup", "detected stall", "napi handler"], @"soft lockup - cpu#?\d+ stuck|(self-)?detected stalls? on cpu|napi handler hasn'?t been called for a long time"),

        // Kernel crashes: a report start, then frames; only a report with an ena frame is ena's (FaultTimeline).
        new(LineEvent.CrashStarted, FindingCodes.KernelCrash, ["bug:", "bug at", "oops", "protection fault", "invalid opcode", "unable to handle", "not syncing"], @"kernel bug at |\bbug: |\boops\b|general protection fault|invalid opcode: |unable to handle kernel|kernel panic - not syncing"),
        new(LineEvent.CrashInEna, FindingCodes.KernelCrash, ["[ena]", "rip:", "pc : ena_", "lr : ena_"], @"\[ena\]|rip: .{0,40}\bena_\w+\+|(pc|lr) : ena_\w+\+"),

        // Runtime families.
        new(LineEvent.ResetSucceeded, FindingCodes.ResetRecovered, ["reset completed"], @"device reset completed successfully"),
        new(LineEvent.ResetStatus, FindingCodes.ResetRecovered, ["reset completed"], @"device reset completed, status: ?-?\d+"),
        new(LineEvent.ResetFailed, FindingCodes.ResetFailed, ["reset attempt failed", "reset failed", "reset device", "reset the device", "reset indication"], @"reset attempt failed|device reset failed|can ?not reset (the )?device|can'?t reset device|reset indication didn'?t turn (on|off)"),
        // 2.12+: the device asks for a reset over AENQ.
        new(LineEvent.Fault, FindingCodes.DeviceRequestedReset, ["unhealthy state"], @"device has detected an unhealthy state"),
        new(LineEvent.ResetTriggered, FindingCodes.ResetRecovered, ["trigger"], @"trigger reset is on|trigger(ed)? (a )?(device )?reset"),
        new(LineEvent.ProbeSucceeded, FindingCodes.ResetRecovered, ["found at mem"], @"elastic network adapter \(ena\) found at mem"),
        new(LineEvent.InitFailed, FindingCodes.DeviceInitFailed, ["init failed", "abort com init", "too low", "probe with driver", "probe of"], @"ena device init failed|device isn'?t ready, abort com init|device version is too low|probe with driver ena failed|\bena: probe of \S+ failed"),
        new(LineEvent.InitFailed, FindingCodes.DeviceInitFailed, ["initiali", "register net device", "i/o queues"], @"can ?not initiali[sz]e (the )?device|cannot register net device|failed to create i/o queues", NeedsEnaContext: true),
        new(LineEvent.MmioReadTimeout, FindingCodes.MmioReadTimeout, ["reg failed", "timeout occurred"], @"reading reg failed for timeout|reg read(32)? timeout occurred"),
        new(LineEvent.Fault, FindingCodes.KeepAliveTimeout, ["alive"], @"keep[ -]?alive (watchdog |event )?time ?out|alive watchdog time ?out"),
        new(LineEvent.Fault, FindingCodes.MissingTxCompletions, ["completed on time", "hasn't completed", "hasnt completed", "tx completion", "completion descriptors"], @"found a tx that wasn'?t completed on time|tx hasn'?t completed|missed tx completions|lost tx completions? (are|is) above|number of lost tx completions? is above|no completion descriptors found in cq"),
        new(LineEvent.Fault, FindingCodes.TxTimeout, ["paused for too long"], @"tx q(ueue)? ?\d+ is paused for too long"),
        new(LineEvent.Fault, FindingCodes.TxTimeout, ["netdev watchdog", "transmit time"], @"netdev watchdog: .{0,120}transmit queue \d+ timed out|transmit time ?out", NeedsEnaContext: true),
        new(LineEvent.Fault, FindingCodes.AdminQueueTimeout, ["admin queue", "admin cmd", "admin command", "msi-x interrupt", "msix interrupt"], @"admin queue is not in running state|didn'?t send a completion for the admin cmd|didn'?t receive a msi-?x interrupt|no completion for admin (cmd|command)"),
        new(LineEvent.Fault, FindingCodes.MsixIssue, ["msix", "msi-x"], @"potential msi-?x issue|failed to enable msi-?x|can ?not reserve msi-?x vectors"),
        new(LineEvent.Fault, FindingCodes.MsixIssue, ["msix", "msi-x"], @"enable msi-?x failed", NeedsEnaContext: true),
        // Descriptor corruption: bad request ids, and 2.13+'s malformed completion descriptors.
        new(LineEvent.Fault, FindingCodes.BadReqId, ["req_id", "req id", "reqid", "tx_info", "corrupted", "first bit is on", "cdescs"], @"invalid (rx |tx )?req[ _]?id|tx_info doesn'?t have valid|req id \d+ doesn'?t correspond to a packet|bad req_id in descriptor|corrupted (rx|tx) descriptor|first bit is on in descriptor|too many rx cdescs"),
        new(LineEvent.Fixed, FindingCodes.AllocationFailure, ["alloc buffer", "allocate buffer", "refilling queue", "refilled rx qid", "not enough memory"], @"failed to allocate buffer for rx queue|refilling queue \d+ failed|refilled rx qid \d+ with only|not enough memory to create queues", Effect: FindingEffect.Benign, Severity: Severity.Warning),
        new(LineEvent.Fixed, FindingCodes.AllocationFailure, ["allocation failed"], @"(rx|tx) queue \d+: allocation failed|memory allocation failed", NeedsEnaContext: true, Effect: FindingEffect.Benign, Severity: Severity.Warning),
    ];

    private static readonly Regex[] Compiled = All.Select(rule => new Regex(rule.Pattern, Options)).ToArray();

    /// <summary>
    /// The first, cheapest look at a line: a few words of which every line any rule is meant for
    /// contains one (the ena prefix, `error`, `fail`, the crash, lockup and build words, the section
    /// markers). A few literals keep the vectorised search fast (a search for all ~100 anchors at
    /// once is four times slower); lines that pass are then scanned for the rules' own anchors. The
    /// price: a runtime message cut before its `ena …` prefix is still matched for keep-alive and
    /// reset wordings (`alive`, `reset`), not for the other runtime families.
    /// </summary>
    private static readonly SearchValues<string> Gate = SearchValues.Create(
        ["ena", "error", "fail", "bug:", "bug at", "oops", "protection fault", "panic", "lockup", "stall", "statistics", "ethtool -s",
         "alive", "reset", "modpost", "make", "headers", "opcode", "unable to handle", "rip:", "no such", "return status", "compilation", "implicit"],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>One finder per thread: it lower-cases into its own buffer.</summary>
    private static readonly ThreadLocal<AnchorFinder> Anchors = new(() => new AnchorFinder(All.Select(rule => rule.Anchors).ToArray()));

    /// <summary>"ena" as a word (ena:, ena 0000:, (ena), ENA_COM, ENA device) for the generic wordings.</summary>
    private static readonly Regex EnaContext = new(@"(^|[^a-z0-9])ena([^a-z0-9]|$)|ena_com", Options);

    /// <summary>The position of a rule in <see cref="All"/> (rules are compared by reference).</summary>
    public static int IndexOf(LineRule rule)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (ReferenceEquals(All[i], rule))
            {
                return i;
            }
        }
        throw new ArgumentException("not one of LineRules.All", nameof(rule));
    }

    /// <summary>Whether a line is worth any further look (the analyzer's pre-check; also covers `NIC statistics:` and `ethtool -S`).</summary>
    public static bool PassesGate(ReadOnlySpan<char> line) => line.ContainsAny(Gate);

    public static LineRule? Match(ReadOnlySpan<char> line) => PassesGate(line) ? MatchPassed(line) : null;

    /// <summary>Match for a line that already passed the gate.</summary>
    public static LineRule? MatchPassed(ReadOnlySpan<char> line)
    {
        // No anchor is in a timestamp: scan the message only.
        var candidates = Anchors.Value!.RulesIn(MessageMemo.Message(line));
        return candidates == 0 || CounterDumpLine.Is(line) ? null : FirstMatching(line, candidates);
    }

    /// <summary>Every regex in order, without the gate or the anchors (tests use it to prove those hide nothing).</summary>
    internal static LineRule? MatchWithoutPrefilters(ReadOnlySpan<char> line)
    {
        if (CounterDumpLine.Is(line))
        {
            return null;
        }
        for (var i = 0; i < All.Count; i++)
        {
            if (Matches(i, line))
            {
                return All[i];
            }
        }
        return null;
    }

    private static LineRule? FirstMatching(ReadOnlySpan<char> line, ulong candidates)
    {
        while (candidates != 0)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(candidates);
            candidates &= candidates - 1;
            if (Matches(i, line))
            {
                return All[i];
            }
        }
        return null;
    }

    private static bool Matches(int i, ReadOnlySpan<char> line) =>
        Compiled[i].IsMatch(line) && (!All[i].NeedsEnaContext || EnaContext.IsMatch(line));
}

/// <summary>
/// A statistics dump line (`eth1: tx_timeout: 0`, `queue_0_tx_cnt: 12`): the driver prints these on
/// reset; they are not events. Checked by hand instead of a regex: it runs on every candidate line.
/// </summary>
internal static class CounterDumpLine
{
    /// <summary>Ends with `name: N` where name is a letter, then letters/digits/underscores with at least one underscore.</summary>
    public static bool Is(ReadOnlySpan<char> line)
    {
        line = line.TrimEnd();
        var end = line.Length;
        while (end > 0 && char.IsAsciiDigit(line[end - 1]))
        {
            end--;
        }
        if (end == line.Length)
        {
            return false;
        }
        if (end > 0 && line[end - 1] == '-')
        {
            end--;
        }
        if (end < 2 || line[end - 1] != ' ' || line[end - 2] != ':')
        {
            return false;
        }
        var nameEnd = end - 2;
        var start = nameEnd;
        var underscore = false;
        while (start > 0 && (char.IsAsciiLetterOrDigit(line[start - 1]) || line[start - 1] == '_'))
        {
            underscore |= line[start - 1] == '_';
            start--;
        }
        if (!underscore || start == nameEnd || !char.IsAsciiLetter(line[start]) || (start > 0 && !char.IsWhiteSpace(line[start - 1])))
        {
            return false;
        }
        // A dump line names the interface (`eth1: `) or nothing before the counter; a message that
        // merely ends with a field (`q_id: 3, req_id: 1024`) has other text there.
        var before = line[..start].TrimEnd();
        return before.IsEmpty || before[^1] is ':' or ']';
    }
}

/// <summary>Finds the PCI address (`0000:00:05.0`) a line names, without a regex or an allocation.</summary>
internal static class PciAddress
{
    private const int Length = 12; // dddd:dd:dd.d

    public static ReadOnlySpan<char> Find(ReadOnlySpan<char> line)
    {
        for (var colon = line.IndexOf(':'); colon >= 0 && colon + 8 <= line.Length; colon = Next(line, colon))
        {
            var start = colon - 4;
            if (start >= 0 && Is(line.Slice(start, Math.Min(Length, line.Length - start))))
            {
                return line.Slice(start, Length);
            }
        }
        return default;
    }

    private static int Next(ReadOnlySpan<char> line, int colon)
    {
        var next = line[(colon + 1)..].IndexOf(':');
        return next < 0 ? -1 : colon + 1 + next;
    }

    private static bool Is(ReadOnlySpan<char> s) =>
        s.Length == Length
        && char.IsAsciiHexDigit(s[0]) && char.IsAsciiHexDigit(s[1]) && char.IsAsciiHexDigit(s[2]) && char.IsAsciiHexDigit(s[3])
        && s[4] == ':' && char.IsAsciiHexDigit(s[5]) && char.IsAsciiHexDigit(s[6])
        && s[7] == ':' && char.IsAsciiHexDigit(s[8]) && char.IsAsciiHexDigit(s[9])
        && s[10] == '.' && s[11] is >= '0' and <= '7';
}
