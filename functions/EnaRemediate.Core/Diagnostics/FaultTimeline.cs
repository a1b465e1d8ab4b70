namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Follows faults and recoveries in log order, per ena device (PCI address). A fault is held as
/// pending until the device either completes a reset or is probed again (recovered), or a reset
/// or probe fails, or the log ends (not recovered). Register read timeouts are only a fault when
/// they come as a sequence (the AWS rule: one is retried and harmless). Many resets in one log
/// are a crash loop; two within <see cref="ResetLoopWindowSeconds"/> by the log's own clock are a
/// reset loop even when each completes. A kernel crash report is ena's when a frame in the ena
/// module follows its first line.
/// </summary>
internal sealed class FaultTimeline(string input, FindingCollector findings)
{
    /// <summary>Two resets this close (by the log's timestamps) are a reset loop.</summary>
    public const double ResetLoopWindowSeconds = 600;
    /// <summary>Lines of one reset (trigger, failure, completion) come within this many seconds of each other.</summary>
    private const double SameResetSeconds = 30;
    /// <summary>A crash report's frames follow its first line within this many lines.</summary>
    public const int CrashReportLines = 150;

    /// <summary>This many register read timeouts before a recovery make a sequence, not a retry.</summary>
    public const int MmioSequenceThreshold = 3;
    /// <summary>This many device resets in one log make a crash loop.</summary>
    public const int CrashLoopResets = 5;
    private const int MaxDevices = 64;

    private readonly Dictionary<string, DeviceState> _devices = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Evidence> _resetEvidence = [];
    private string _currentDevice = "";
    private int _resetsTriggered;
    private int _resetsEnded;
    private readonly List<Evidence> _loopEvidence = [];
    private int _loopResets;
    private double? _lastResetTime;
    private Evidence? _lastReset;
    private Evidence? _crashStart;
    private int _crashStartLine;
    private bool _crashReported;

    /// <summary>Whether a rule's event needs to know which device the line is about.</summary>
    public static bool NeedsDevice(LineEvent e) => e is not (LineEvent.Fixed or LineEvent.Starvation or LineEvent.CrashStarted or LineEvent.CrashInEna);

    /// <summary>Whether a rule's event needs the line's timestamp (only resets do: the reset-loop window).</summary>
    public static bool NeedsTime(LineEvent e) => e is LineEvent.ResetTriggered or LineEvent.ResetSucceeded or LineEvent.ResetStatus or LineEvent.ResetFailed;

    /// <param name="device">The PCI address the line names, or empty.</param>
    /// <param name="time">The line's timestamp in seconds on the log's own clock, when it has one and the event needs it.</param>
    public void Record(LineRule rule, ReadOnlySpan<char> device, int line, ReadOnlySpan<char> text, double? time = null)
    {
        switch (rule.Event)
        {
            case LineEvent.Fixed:
                findings.Add(rule.Code, input, line, text, rule.Effect, rule.Severity);
                return;
            case LineEvent.Starvation:
                findings.Causes.NoteStarvation(input, line, text);
                return;
            case LineEvent.CrashStarted:
                _crashStart = MakeEvidence(line, text);
                _crashStartLine = line;
                _crashReported = false;
                return;
            case LineEvent.CrashInEna:
                if (_crashStart is { } start && !_crashReported && line - _crashStartLine <= CrashReportLines)
                {
                    _crashReported = true;
                    findings.AddMany(FindingCodes.KernelCrash, [start, MakeEvidence(line, text)], 1, FindingEffect.Failure, Severity.Critical);
                }
                return;
        }
        var state = Device(device);
        switch (rule.Event)
        {
            case LineEvent.Fault:
                state.AddPending(rule.Code, input, line, text);
                break;
            case LineEvent.MmioReadTimeout:
                state.AddMmio(input, line, text);
                break;
            case LineEvent.ResetTriggered:
                _resetsTriggered++;
                var trigger = MakeEvidence(line, text);
                NoteReset(trigger);
                NoteResetStart(time, trigger);
                state.LastResetEventTime = time ?? state.LastResetEventTime;
                state.ResetTrigger ??= trigger;
                break;
            case LineEvent.ResetSucceeded:
                EndReset(state, MakeEvidence(line, text), time, succeeded: true);
                break;
            case LineEvent.ResetStatus:
                EndReset(state, MakeEvidence(line, text), time, succeeded: StatusIsZero(text));
                break;
            case LineEvent.ResetFailed:
                EndReset(state, MakeEvidence(line, text), time, succeeded: false);
                break;
            case LineEvent.ProbeSucceeded:
                var reprobed = state.HasPending;
                Flush(state, recovered: true);
                if (reprobed)
                {
                    findings.Add(FindingCodes.ResetRecovered, input, line, text, FindingEffect.Recovered);
                }
                break;
            case LineEvent.InitFailed:
                Flush(state, recovered: false);
                findings.Add(FindingCodes.DeviceInitFailed, input, line, text, FindingEffect.Failure, Severity.Error);
                break;
        }
    }

    private Evidence MakeEvidence(int line, ReadOnlySpan<char> text) => new(input, line, FindingCollector.EvidenceText(text));

    /// <summary>The log ended: whatever is still pending was never recovered.</summary>
    public void Finish()
    {
        foreach (var state in _devices.Values)
        {
            if (state.ResetTrigger is { } trigger)
            {
                findings.Add(FindingCodes.ResetFailed,
                    trigger with { Text = trigger.Text + "  (no completion of this reset follows)" },
                    FindingEffect.Failure, Severity.Error);
            }
            Flush(state, recovered: false);
        }
        if (Math.Max(_resetsTriggered, _resetsEnded) >= CrashLoopResets)
        {
            findings.AddMany(FindingCodes.CrashLoop, _resetEvidence, Math.Max(_resetsTriggered, _resetsEnded),
                FindingEffect.Failure, Severity.Critical);
        }
        else if (_loopResets >= 2)
        {
            // A crash loop already says more; below it, resets close together are a loop of their own.
            findings.AddMany(FindingCodes.ResetLoop, _loopEvidence, _loopResets, FindingEffect.Recovered, Severity.Error);
        }
    }

    private void EndReset(DeviceState state, Evidence evidence, double? time, bool succeeded)
    {
        _resetsEnded++;
        NoteReset(evidence);
        // A completion without a trigger line is a reset of its own, unless it is one more line
        // about the reset that just ended ("Reset attempt failed", then "completed, status: -110").
        if (state.ResetTrigger is null && !(time is { } now && state.LastResetEventTime is { } last && now >= last && now - last <= SameResetSeconds))
        {
            NoteResetStart(time, evidence);
        }
        state.LastResetEventTime = time ?? state.LastResetEventTime;
        state.ResetTrigger = null;
        // The faults first, then the reset that ended them: findings keep the order things happened.
        Flush(state, succeeded);
        if (succeeded)
        {
            findings.Add(FindingCodes.ResetRecovered, evidence, FindingEffect.Recovered);
        }
        else
        {
            findings.Add(FindingCodes.ResetFailed, evidence, FindingEffect.Failure, Severity.Critical);
        }
    }

    private void NoteReset(Evidence evidence)
    {
        if (_resetEvidence.Count < FindingCollector.MaxEvidence)
        {
            _resetEvidence.Add(evidence);
        }
    }

    /// <summary>Counts resets that start within the window of the one before (on the log's clock).</summary>
    private void NoteResetStart(double? time, Evidence evidence)
    {
        if (time is not { } now)
        {
            return;
        }
        if (_lastResetTime is { } last && _lastReset is { } previous && now >= last && now - last <= ResetLoopWindowSeconds)
        {
            if (_loopResets == 0)
            {
                _loopResets = 1;
                _loopEvidence.Add(previous);
            }
            _loopResets++;
            if (_loopEvidence.Count < FindingCollector.MaxEvidence)
            {
                _loopEvidence.Add(evidence);
            }
        }
        _lastResetTime = now;
        _lastReset = evidence;
    }

    private void Flush(DeviceState state, bool recovered)
    {
        var faultEffect = recovered ? FindingEffect.Recovered : FindingEffect.Failure;
        var faultSeverity = recovered ? Severity.Warning : Severity.Error;
        foreach (var (code, pending) in state.Pending)
        {
            findings.AddMany(code, pending.Evidence, pending.Count, faultEffect, faultSeverity);
        }
        if (state.MmioCount > 0)
        {
            var sequence = state.MmioCount >= MmioSequenceThreshold;
            var effect = sequence ? faultEffect : FindingEffect.Benign;
            var severity = sequence ? faultSeverity : Severity.Info;
            findings.AddMany(FindingCodes.MmioReadTimeout, state.MmioEvidence, state.MmioCount, effect, severity);
        }
        state.Clear();
    }

    private DeviceState Device(ReadOnlySpan<char> device)
    {
        // Lines without an address ([ENA_COM: ...], NETDEV WATCHDOG) belong to the device last named.
        if (!device.IsEmpty)
        {
            var known = _devices.GetAlternateLookup<ReadOnlySpan<char>>();
            if (known.TryGetValue(device, out var key, out var existing))
            {
                _currentDevice = key;
                return existing;
            }
            if (_devices.Count < MaxDevices)
            {
                var name = device.ToString();
                // Lines before the first one that names a device (a NETDEV WATCHDOG line, a cut prefix)
                // were about that device.
                if (_currentDevice.Length == 0 && _devices.Remove("", out var anonymous))
                {
                    _devices[name] = anonymous;
                }
                _currentDevice = name;
            }
        }
        if (!_devices.TryGetValue(_currentDevice, out var state))
        {
            state = new DeviceState();
            _devices[_currentDevice] = state;
        }
        return state;
    }

    private static bool StatusIsZero(ReadOnlySpan<char> text)
    {
        var at = text.LastIndexOf("status:", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return false;
        }
        var digits = text[(at + "status:".Length)..].Trim();
        var end = 0;
        while (end < digits.Length && (char.IsAsciiDigit(digits[end]) || (end == 0 && digits[end] == '-')))
        {
            end++;
        }
        return int.TryParse(digits[..end], out var status) && status == 0;
    }

    private sealed class DeviceState
    {
        public readonly Dictionary<string, PendingFault> Pending = new(StringComparer.Ordinal);
        public readonly List<Evidence> MmioEvidence = [];
        public long MmioCount;
        public Evidence? ResetTrigger;
        public double? LastResetEventTime;

        public bool HasPending => Pending.Count > 0 || MmioCount >= MmioSequenceThreshold || ResetTrigger is not null;

        public void AddPending(string code, string input, int line, ReadOnlySpan<char> text)
        {
            if (!Pending.TryGetValue(code, out var pending))
            {
                pending = new PendingFault();
                Pending[code] = pending;
            }
            pending.Count++;
            if (pending.Evidence.Count < FindingCollector.MaxEvidence)
            {
                pending.Evidence.Add(new Evidence(input, line, FindingCollector.EvidenceText(text)));
            }
        }

        public void AddMmio(string input, int line, ReadOnlySpan<char> text)
        {
            MmioCount++;
            if (MmioEvidence.Count < FindingCollector.MaxEvidence)
            {
                MmioEvidence.Add(new Evidence(input, line, FindingCollector.EvidenceText(text)));
            }
        }

        public void Clear()
        {
            Pending.Clear();
            MmioEvidence.Clear();
            MmioCount = 0;
            ResetTrigger = null;
        }
    }

    private sealed class PendingFault
    {
        public long Count;
        public readonly List<Evidence> Evidence = [];
    }
}
