namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Follows faults and recoveries in log order, per ena device (PCI address). A fault is held as
/// pending until the device either completes a reset or is probed again (recovered), or a reset
/// or probe fails, or the log ends (not recovered). Register read timeouts are only a fault when
/// they come as a sequence (the AWS rule: one is retried and harmless). Many resets in one log
/// are a crash loop.
/// </summary>
internal sealed class FaultTimeline(FindingCollector findings)
{
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

    public void Record(LineRule rule, string? device, Evidence evidence)
    {
        var state = Device(device);
        switch (rule.Event)
        {
            case LineEvent.Fault:
                state.AddPending(rule.Code, evidence);
                break;
            case LineEvent.MmioReadTimeout:
                state.AddMmio(evidence);
                break;
            case LineEvent.ResetTriggered:
                _resetsTriggered++;
                NoteReset(evidence);
                state.ResetTrigger ??= evidence;
                break;
            case LineEvent.ResetSucceeded:
                EndReset(state, evidence, succeeded: true);
                break;
            case LineEvent.ResetStatus:
                EndReset(state, evidence, succeeded: StatusIsZero(evidence.Text));
                break;
            case LineEvent.ResetFailed:
                EndReset(state, evidence, succeeded: false);
                break;
            case LineEvent.ProbeSucceeded:
                var reprobed = state.HasPending;
                Flush(state, recovered: true);
                if (reprobed)
                {
                    findings.Add(FindingCodes.ResetRecovered, evidence, FindingEffect.Recovered);
                }
                break;
            case LineEvent.InitFailed:
                Flush(state, recovered: false);
                findings.Add(FindingCodes.DeviceInitFailed, evidence, FindingEffect.Failure, Severity.Error);
                break;
            case LineEvent.Fixed:
                findings.Add(rule.Code, evidence, rule.Effect, rule.Severity);
                break;
        }
    }

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
    }

    private void EndReset(DeviceState state, Evidence evidence, bool succeeded)
    {
        _resetsEnded++;
        NoteReset(evidence);
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

    private DeviceState Device(string? device)
    {
        // Lines without an address ([ENA_COM: ...], NETDEV WATCHDOG) belong to the device last named.
        if (device is not null && (_devices.ContainsKey(device) || _devices.Count < MaxDevices))
        {
            // Lines before the first one that names a device (a NETDEV WATCHDOG line, a cut prefix)
            // were about that device.
            if (_currentDevice.Length == 0 && !_devices.ContainsKey(device) && _devices.Remove("", out var anonymous))
            {
                _devices[device] = anonymous;
            }
            _currentDevice = device;
        }
        if (!_devices.TryGetValue(_currentDevice, out var state))
        {
            state = new DeviceState();
            _devices[_currentDevice] = state;
        }
        return state;
    }

    private static bool StatusIsZero(string text)
    {
        var at = text.LastIndexOf("status:", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return false;
        }
        var digits = text.AsSpan(at + "status:".Length).Trim();
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

        public bool HasPending => Pending.Count > 0 || MmioCount >= MmioSequenceThreshold || ResetTrigger is not null;

        public void AddPending(string code, Evidence evidence)
        {
            if (!Pending.TryGetValue(code, out var pending))
            {
                pending = new PendingFault();
                Pending[code] = pending;
            }
            pending.Count++;
            if (pending.Evidence.Count < FindingCollector.MaxEvidence)
            {
                pending.Evidence.Add(evidence);
            }
        }

        public void AddMmio(Evidence evidence)
        {
            MmioCount++;
            if (MmioEvidence.Count < FindingCollector.MaxEvidence)
            {
                MmioEvidence.Add(evidence);
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
