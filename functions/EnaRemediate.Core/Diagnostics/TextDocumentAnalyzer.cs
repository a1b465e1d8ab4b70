namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Judges one text document line by line, in one pass and bounded memory: `ethtool -S` sections
/// become counter samples, `ethtool -i` and `modinfo` fields are checked, an install-result JSON
/// line is handed back to the caller, and every other line goes through the event rules and the
/// fault timeline. Sections are recognised anywhere, so a support bundle that pastes dmesg and
/// `ethtool -S` into one file is read correctly.
/// </summary>
internal sealed class TextDocumentAnalyzer
{
    private readonly string _input;
    private readonly FindingCollector _findings;
    private readonly Action<CounterSample> _onCounter;
    private readonly Func<string, int, bool> _onJsonLine;
    private readonly FaultTimeline _timeline;
    private bool _inStats;
    private string? _interface;
    private Evidence? _modinfoFile;
    private Evidence? _modinfoVermagic;

    public TextDocumentAnalyzer(string input, InputKind kind, FindingCollector findings,
        Action<CounterSample> onCounter, Func<string, int, bool>? onJsonLine = null)
    {
        _input = input;
        Kind = kind;
        _findings = findings;
        _onCounter = onCounter;
        _onJsonLine = onJsonLine ?? ((_, _) => false);
        _timeline = new FaultTimeline(findings);
        _inStats = kind == InputKind.EthtoolStats;
    }

    /// <summary>May change while reading: a text whose last line is an install result becomes one.</summary>
    public InputKind Kind { get; private set; }

    public void Line(int number, string line)
    {
        var trimmed = line.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            return;
        }
        if (TrackStatsSection(number, line, trimmed))
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
            Kind = InputKind.InstallResult;
            return;
        }
        if (LineRules.Match(line) is { } rule)
        {
            // Only timeline events care which device a line is about; skip the address scan for the rest.
            var device = rule.Event == LineEvent.Fixed ? null : LineRules.Device(line);
            _timeline.Record(rule, device, new Evidence(_input, number, trimmed.ToString()));
        }
    }

    public void Finish()
    {
        _timeline.Finish();
        CheckModinfoKernel();
    }

    /// <returns>true when the line was a statistics line and needs nothing else.</returns>
    private bool TrackStatsSection(int number, string line, ReadOnlySpan<char> trimmed)
    {
        var command = line.IndexOf("ethtool -S ", StringComparison.OrdinalIgnoreCase);
        if (command >= 0)
        {
            var rest = line.AsSpan(command + "ethtool -S ".Length).Trim();
            var end = rest.IndexOfAny(' ', '\t');
            _interface = (end < 0 ? rest : rest[..end]).ToString();
        }
        if (trimmed.StartsWith("NIC statistics:", StringComparison.OrdinalIgnoreCase))
        {
            _inStats = true;
            return true;
        }
        if (!_inStats)
        {
            return false;
        }
        if (CounterLine.TryParse(trimmed, out var name, out var value))
        {
            _onCounter(new CounterSample(_input, number, _interface, name, value));
            return true;
        }
        // Something else: the statistics section is over (unless the whole document is ethtool -S).
        _inStats = Kind == InputKind.EthtoolStats;
        return false;
    }

    private void ReadEthtoolInfoField(int number, ReadOnlySpan<char> trimmed)
    {
        if (!trimmed.StartsWith("driver:", StringComparison.Ordinal))
        {
            return;
        }
        var driver = trimmed["driver:".Length..].Trim();
        if (!driver.Equals("ena", StringComparison.OrdinalIgnoreCase))
        {
            _findings.Add(FindingCodes.EnaNotBound, new Evidence(_input, number, trimmed.ToString()), FindingEffect.Advice, Severity.Warning);
        }
    }

    private void ReadModinfoField(int number, ReadOnlySpan<char> trimmed)
    {
        if (trimmed.StartsWith("filename:", StringComparison.Ordinal))
        {
            _modinfoFile = new Evidence(_input, number, trimmed.ToString());
        }
        else if (trimmed.StartsWith("vermagic:", StringComparison.Ordinal))
        {
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
