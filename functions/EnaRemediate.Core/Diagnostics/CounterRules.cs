namespace EnaRemediate.Core.Diagnostics;

/// <summary>
/// Judges ethtool -S counters (FACTS.md §3). The name set is open: a counter not listed here is
/// simply not judged. Counters are cumulative since driver load, so only growth matters: the
/// delta against a baseline snapshot when one is given, the absolute value otherwise. A counter
/// that did not grow is never a finding. A snapshot that can be read at all means the driver is
/// running now, so a fault counter alone reads as a fault the driver recovered from.
/// </summary>
internal static class CounterRules
{
    /// <summary>wd_expired / total_resets at or above this absolute value is a crash loop (thousands of resets).</summary>
    public const long CrashLoopAbsolute = 1000;
    /// <summary>This many new resets between a baseline and now is a crash loop.</summary>
    public const long CrashLoopDelta = 5;

    private sealed record Judgement(string Code, FindingEffect Effect, Severity Severity);

    private static readonly Dictionary<string, Judgement> Globals = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tx_timeout"] = Recovered(FindingCodes.TxTimeout),
        ["os_netdev_wd"] = Recovered(FindingCodes.TxTimeout),
        ["wd_expired"] = Recovered(FindingCodes.KeepAliveTimeout),
        ["missing_tx_cmpl"] = Recovered(FindingCodes.MissingTxCompletions),
        ["missing_intr"] = Recovered(FindingCodes.MsixIssue),
        ["missing_first_intr"] = Recovered(FindingCodes.MsixIssue),
        ["suspected_poll_starvation"] = Recovered(FindingCodes.MsixIssue),
        ["admin_q_pause"] = Recovered(FindingCodes.AdminQueueTimeout),
        ["missing_admin_interrupt"] = Recovered(FindingCodes.AdminQueueTimeout),
        ["admin_to"] = Recovered(FindingCodes.AdminQueueTimeout),
        ["ena_admin_q_no_completion"] = Recovered(FindingCodes.AdminQueueTimeout),
        ["bad_tx_req_id"] = Recovered(FindingCodes.BadReqId),
        ["bad_rx_req_id"] = Recovered(FindingCodes.BadReqId),
        ["bad_rx_desc_num"] = Recovered(FindingCodes.BadReqId),
        ["rx_desc_malformed"] = Recovered(FindingCodes.BadReqId),
        ["tx_desc_malformed"] = Recovered(FindingCodes.BadReqId),
        ["total_resets"] = Recovered(FindingCodes.ResetRecovered),
        ["device_request_reset"] = Recovered(FindingCodes.ResetRecovered),
        ["reset_fail"] = new(FindingCodes.ResetFailed, FindingEffect.Failure, Severity.Critical),
        // Legacy names (drivers before 2.x): unsupported, AWS says they should stay zero; benign when not.
        ["io_suspend"] = Benign(FindingCodes.IgnorableWarning),
        ["io_resume"] = Benign(FindingCodes.IgnorableWarning),
        ["rx_bad_csum"] = Benign(FindingCodes.IgnorableWarning),
    };

    /// <summary>Per-queue counters, by the part after `queue_N_`.</summary>
    private static readonly Dictionary<string, Judgement> PerQueue = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tx_bad_req_id"] = Recovered(FindingCodes.BadReqId),
        ["rx_bad_req_id"] = Recovered(FindingCodes.BadReqId),
        ["tx_missed_tx"] = Recovered(FindingCodes.MissingTxCompletions),
        ["tx_missing_tx_comp"] = Recovered(FindingCodes.MissingTxCompletions),
        ["rx_page_alloc_fail"] = Benign(FindingCodes.AllocationFailure, Severity.Warning),
        ["rx_skb_alloc_fail"] = Benign(FindingCodes.AllocationFailure, Severity.Warning),
        ["rx_refil_partial"] = Benign(FindingCodes.AllocationFailure, Severity.Warning),
        ["rx_dma_mapping_err"] = Benign(FindingCodes.AllocationFailure, Severity.Warning),
        ["tx_dma_mapping_err"] = Benign(FindingCodes.AllocationFailure, Severity.Warning),
        ["tx_linearize_failed"] = Benign(FindingCodes.AllocationFailure, Severity.Warning),
        // Bad checksums come from the network, not the driver: rx_bad_csum (old) and csum_bad (new).
        ["rx_bad_csum"] = Benign(FindingCodes.IgnorableWarning),
        ["rx_csum_bad"] = Benign(FindingCodes.IgnorableWarning),
        ["rx_bad_desc_num"] = new(FindingCodes.SuboptimalConfiguration, FindingEffect.Advice, Severity.Info),
    };

    private static Judgement Recovered(string code) => new(code, FindingEffect.Recovered, Severity.Warning);

    private static Judgement Benign(string code, Severity severity = Severity.Info) => new(code, FindingEffect.Benign, severity);

    public static void Judge(CounterSample sample, long? baseline, FindingCollector findings)
    {
        var grew = baseline is { } before && sample.Value >= before ? sample.Value - before : sample.Value;
        var text = baseline is { } b && sample.Value >= b
            ? $"{sample.Label}: {sample.Value} (baseline {b}, +{grew})"
            : $"{sample.Label}: {sample.Value}";
        var evidence = new Evidence(sample.Input, sample.Line, text);

        if (IsResetCounter(sample.Name) && (sample.Value >= CrashLoopAbsolute || (baseline is not null && grew >= CrashLoopDelta)))
        {
            findings.Add(FindingCodes.CrashLoop, evidence, FindingEffect.Failure, Severity.Critical);
        }
        if (grew <= 0)
        {
            return;
        }
        if (Classify(sample.Name) is { } judgement)
        {
            findings.Add(judgement.Code, evidence, judgement.Effect, judgement.Severity);
        }
    }

    private static bool IsResetCounter(string name) =>
        name.Equals("wd_expired", StringComparison.OrdinalIgnoreCase) || name.Equals("total_resets", StringComparison.OrdinalIgnoreCase);

    private static Judgement? Classify(string name)
    {
        if (name.EndsWith("_allowance_exceeded", StringComparison.OrdinalIgnoreCase))
        {
            return new(FindingCodes.AllowanceExceeded, FindingEffect.Throttled, Severity.Warning);
        }
        if (Globals.TryGetValue(name, out var global))
        {
            return global;
        }
        return QueueSuffix(name) is { } suffix && PerQueue.TryGetValue(suffix, out var perQueue) ? perQueue : null;
    }

    /// <summary>"queue_12_rx_csum_bad" → "rx_csum_bad"; null when the name is not per queue.</summary>
    internal static string? QueueSuffix(string name)
    {
        if (!name.StartsWith("queue_", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var rest = name.AsSpan("queue_".Length);
        var digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }
        return digits > 0 && digits < rest.Length && rest[digits] == '_' ? rest[(digits + 1)..].ToString() : null;
    }
}

/// <summary>One counter value read from an input. Interface is null when the source does not say.</summary>
internal sealed record CounterSample(string Input, int Line, string? Interface, string Name, long Value)
{
    public string Label => Interface is null ? Name : $"{Interface} {Name}";
}

/// <summary>Counter values from the baseline inputs, looked up by interface and name, then by name alone.</summary>
internal sealed class CounterBaseline
{
    private readonly Dictionary<(string Interface, string Name), long> _exact = [];
    private readonly Dictionary<string, long> _byName = new(StringComparer.OrdinalIgnoreCase);

    public void Add(CounterSample sample)
    {
        _exact[(sample.Interface ?? "", sample.Name)] = sample.Value;
        _byName[sample.Name] = sample.Value;
    }

    public long? Find(CounterSample sample) =>
        _exact.TryGetValue((sample.Interface ?? "", sample.Name), out var exact) ? exact
        : _byName.TryGetValue(sample.Name, out var byName) ? byName
        : null;
}
