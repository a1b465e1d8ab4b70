namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Judges one text document line by line, in one pass and bounded memory: `ethtool -S` sections
/// become counter samples (only when they are ENA's), `ethtool -i` and `modinfo` fields are
/// checked, an install-result JSON line is handed back to the caller, and every other line goes
/// through the event rules and the fault timeline. Quote prefixes are dropped and wrapped kernel-log
/// lines joined before matching. Sections are recognised anywhere, so a support bundle that pastes
/// dmesg and `ethtool -S` into one file is read correctly. A document in which nothing at all is
/// recognised is said to be so (unrecognised_input), never passed as healthy.
/// Lines arrive as spans; a string is made only for evidence and counter names.
/// </summary>
internal sealed class TextDocumentAnalyzer
{
    /// <summary>Counters buffered while a statistics section has shown no ENA counter yet.</summary>
    private const int MaxBufferedCounters = 4096;

    /// <summary>What the memo holds for a message: a rule's index, or one of these.</summary>
    private const int RejectedByGate = -2;
    private const int NoRule = -1;
    /// <summary>The memo (512 KiB) pays off only on long logs.</summary>
    private const int MemoAfterLines = 2048;

    private const string StatsHeader = "NIC statistics:";
    private const string StatsCommand = "ethtool -S ";

    private readonly string _input;
    private readonly FindingCollector _findings;
    private readonly Action<CounterSample> _onCounter;
    private readonly Func<string, int, bool> _onJsonLine;
    private readonly FaultTimeline _timeline;
    private readonly WrappedLineJoiner? _joiner;
    private readonly List<CounterSample> _statsBuffer = [];
    private MessageMemo? _memo;
    private bool _inStats;
    private bool _statsAreEna;
    private Evidence? _statsStart;
    private string? _interface;
    private Evidence? _modinfoFile;
    private Evidence? _modinfoVermagic;
    private Evidence? _firstLine;
    private bool _recognised;
    private double _relativeClock;

    /// <param name="joinWrappedLines">Text pasted by a person (files, stdin); not the lines of a host report.</param>
    public TextDocumentAnalyzer(string input, InputKind kind, FindingCollector findings,
        Action<CounterSample> onCounter, Func<string, int, bool>? onJsonLine = null, bool joinWrappedLines = false)
    {
        _input = input;
        Kind = kind;
        _findings = findings;
        _onCounter = onCounter;
        _onJsonLine = onJsonLine ?? ((_, _) => false);
        _timeline = new FaultTimeline(input, findings);
        _inStats = kind == InputKind.EthtoolStats;
        _joiner = joinWrappedLines && kind == InputKind.KernelLog ? new WrappedLineJoiner(Judge) : null;
    }

    /// <summary>May change while reading: a text whose last line is an install result becomes one.</summary>
    public InputKind Kind { get; private set; }

    public void Line(int number, ReadOnlySpan<char> line)
    {
        line = LogText.Unquote(line);
        if (_joiner is null)
        {
            Judge(number, line);
        }
        else
        {
            _joiner.Line(number, line);
        }
    }

    public void Finish()
    {
        _joiner?.Flush();
        EndStatsSection();
        _timeline.Finish();
        CheckModinfoKernel();
        if (Kind == InputKind.Unknown && !_recognised && _firstLine is { } first)
        {
            _findings.Add(FindingCodes.UnrecognisedInput, first, FindingEffect.Unrecognised, Severity.Warning);
        }
    }

    private void Judge(int number, ReadOnlySpan<char> line)
    {
        var trimmed = line.Trim();
        if (trimmed.IsEmpty)
        {
            return;
        }
        _firstLine ??= new Evidence(_input, number, FindingCollector.EvidenceText(trimmed));
        if (_inStats && ReadCounter(number, trimmed))
        {
            return;
        }
        if (Kind == InputKind.Modinfo)
        {
            ReadModinfoField(number, trimmed);
        }
        else if (Kind == InputKind.EthtoolInfo)
        {
            ReadEthtoolInfoField(number, trimmed);
        }
        if (trimmed[0] == '{' && _onJsonLine(trimmed.ToString(), number))
        {
            _recognised = true;
            Kind = InputKind.InstallResult;
            return;
        }
        if (LogTime.RelativeDelta(trimmed) is { } delta)
        {
            _relativeClock += delta;
        }
        // Small documents (a host report's log, a pasted snippet) never pay for the memo's buffers.
        if (_memo is null && number > MemoAfterLines)
        {
            _memo = new MessageMemo();
        }
        // The gate also passes the section markers (`NIC statistics:`, `ethtool -S`).
        var known = _memo?.Find(trimmed) ?? MessageMemo.Unknown;
        var passes = known == MessageMemo.Unknown ? LineRules.PassesGate(trimmed) : known != RejectedByGate;
        if (!passes)
        {
            _memo?.Remember(trimmed, RejectedByGate);
            return;
        }
        if (StartsStatsSection(number, trimmed))
        {
            return;
        }
        var rule = known == MessageMemo.Unknown ? LineRules.MatchPassed(trimmed) : known >= 0 ? LineRules.All[known] : null;
        if (known == MessageMemo.Unknown)
        {
            _memo?.Remember(trimmed, rule is null ? NoRule : LineRules.IndexOf(rule));
        }
        if (rule is not null)
        {
            _recognised = true;
            // Only timeline events care which device and time a line is about; skip the scans for the rest.
            var device = FaultTimeline.NeedsDevice(rule.Event) ? PciAddress.Find(trimmed) : default;
            var time = FaultTimeline.NeedsTime(rule.Event) ? LogTime.Seconds(trimmed, _relativeClock) : null;
            _timeline.Record(rule, device, number, trimmed, time);
        }
    }

    /// <returns>true when the line was a statistics line and needs nothing else.</returns>
    private bool ReadCounter(int number, ReadOnlySpan<char> trimmed)
    {
        if (CounterLine.TryParse(trimmed, out var name, out var value))
        {
            _recognised = true;
            var sample = new CounterSample(_input, number, _interface, name, value);
            if (_statsAreEna)
            {
                _onCounter(sample);
            }
            else if (EnaCounters.IsEna(name))
            {
                _statsAreEna = true;
                _statsBuffer.ForEach(_onCounter);
                _statsBuffer.Clear();
                _onCounter(sample);
            }
            else if (_statsBuffer.Count < MaxBufferedCounters)
            {
                _statsBuffer.Add(sample);
            }
            return true;
        }
        // Something else: the statistics section is over (unless the whole document is ethtool -S).
        if (Kind != InputKind.EthtoolStats)
        {
            EndStatsSection();
            _inStats = false;
        }
        return false;
    }

    /// <returns>true for the `NIC statistics:` line itself, which needs nothing else.</returns>
    private bool StartsStatsSection(int number, ReadOnlySpan<char> trimmed)
    {
        var command = trimmed.IndexOf(StatsCommand, StringComparison.OrdinalIgnoreCase);
        if (command >= 0)
        {
            var rest = trimmed[(command + StatsCommand.Length)..].Trim();
            var end = rest.IndexOfAny(' ', '\t');
            _interface = (end < 0 ? rest : rest[..end]).ToString();
        }
        if (!trimmed.StartsWith(StatsHeader, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        EndStatsSection();
        _recognised = true;
        _inStats = true;
        _statsStart = new Evidence(_input, number, FindingCollector.EvidenceText(trimmed));
        return true;
    }

    /// <summary>A section of counters none of which is ENA's is another driver's: ENA is not in use there.</summary>
    private void EndStatsSection()
    {
        if (!_statsAreEna && _statsBuffer.Count > 0)
        {
            var first = _statsBuffer[0];
            var start = _statsStart ?? new Evidence(_input, first.Line, $"{first.Name}: {first.Value}");
            _findings.Add(FindingCodes.OtherDriverStatistics,
                start with { Text = $"{start.Text}  ({_statsBuffer.Count} counters, none of them ENA's: {string.Join(", ", _statsBuffer.Take(3).Select(s => s.Name))}, …)" },
                FindingEffect.NotEna, Severity.Warning);
        }
        _statsBuffer.Clear();
        _statsAreEna = false;
        _statsStart = null;
    }

    private void ReadEthtoolInfoField(int number, ReadOnlySpan<char> trimmed)
    {
        if (!trimmed.StartsWith("driver:", StringComparison.Ordinal))
        {
            return;
        }
        _recognised = true;
        var driver = trimmed["driver:".Length..].Trim();
        if (!driver.Equals("ena", StringComparison.OrdinalIgnoreCase))
        {
            _findings.Add(FindingCodes.EnaNotBound, _input, number, trimmed, FindingEffect.NotEna, Severity.Warning);
        }
    }

    private void ReadModinfoField(int number, ReadOnlySpan<char> trimmed)
    {
        if (trimmed.StartsWith("filename:", StringComparison.Ordinal))
        {
            _recognised = true;
            _modinfoFile = new Evidence(_input, number, trimmed.ToString());
        }
        else if (trimmed.StartsWith("vermagic:", StringComparison.Ordinal))
        {
            _recognised = true;
            _modinfoVermagic = new Evidence(_input, number, trimmed.ToString());
        }
    }

    /// <summary>A module under /lib/modules/A/ whose vermagic says kernel B was built for another kernel.</summary>
    private void CheckModinfoKernel()
    {
        if (_modinfoFile is null || _modinfoVermagic is null)
        {
            return;
        }
        const string modulesRoot = "/lib/modules/";
        var path = _modinfoFile.Text["filename:".Length..].Trim();
        var at = path.IndexOf(modulesRoot, StringComparison.Ordinal);
        if (at < 0)
        {
            return;
        }
        var kernelDir = path[(at + modulesRoot.Length)..].Split('/')[0];
        var vermagic = _modinfoVermagic.Text["vermagic:".Length..].Trim().Split(' ', '\t')[0];
        if (kernelDir.Length > 0 && vermagic.Length > 0 && !kernelDir.Equals(vermagic, StringComparison.Ordinal))
        {
            _findings.Add(FindingCodes.KernelApiMismatch,
                _modinfoVermagic with { Text = $"{_modinfoVermagic.Text}  (module installed for {kernelDir})" },
                FindingEffect.NotReady, Severity.Error);
        }
    }
}
