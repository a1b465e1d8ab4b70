namespace EnaRemediate.Core.Diagnostics;

/// <summary>Every finding code the engine emits (docs/diagnostics.md explains each).</summary>
public static class FindingCodes
{
    public const string KeepAliveTimeout = "keep_alive_timeout";
    public const string MissingTxCompletions = "missing_tx_completions";
    public const string TxTimeout = "tx_timeout";
    public const string AdminQueueTimeout = "admin_queue_timeout";
    public const string MmioReadTimeout = "mmio_read_timeout";
    public const string DeviceInitFailed = "device_init_failed";
    public const string MsixIssue = "msix_issue";
    public const string AllocationFailure = "allocation_failure";
    public const string BadReqId = "bad_req_id";
    public const string ResetRecovered = "reset_recovered";
    public const string ResetFailed = "reset_failed";
    public const string CrashLoop = "crash_loop";
    public const string AllowanceExceeded = "allowance_exceeded";
    public const string IgnorableWarning = "ignorable_warning";
    public const string HeadersMissing = "headers_missing";
    public const string BuildFailed = "build_failed";
    public const string KernelApiMismatch = "kernel_api_mismatch";
    public const string ModuleMissing = "module_missing";
    public const string SuboptimalConfiguration = "suboptimal_configuration";
    public const string EnaNotBound = "ena_not_bound";
    public const string CompileError = "compile_error";
    public const string KernelCrash = "kernel_crash";
    public const string DeviceRequestedReset = "device_requested_reset";
    public const string ResetLoop = "reset_loop";
    public const string CpuStarvation = "cpu_starvation";
    public const string TrafficShaping = "traffic_shaping";
    public const string OtherDriverStatistics = "other_driver_statistics";
    public const string UnrecognisedInput = "unrecognised_input";
}

/// <summary>
/// What a finding does to the verdict. A merged finding keeps the strongest effect of its
/// occurrences; the verdict is the strongest effect over all findings.
/// </summary>
internal enum FindingEffect
{
    /// <summary>Advice only: shown, never changes the verdict.</summary>
    Advice = 0,
    Benign = 1,
    Throttled = 2,
    Recovered = 3,
    /// <summary>Nothing in the input is driver, kernel, build or tool output: it cannot vouch for anything.</summary>
    Unrecognised = 4,
    /// <summary>Another driver's output: ENA is not in use there.</summary>
    NotEna = 5,
    Failure = 6,
    NotReady = 7,
    BuildFailure = 8,
}

internal static class FindingEffects
{
    public static Verdict ToVerdict(this FindingEffect effect) => effect switch
    {
        FindingEffect.Advice => Verdict.Healthy,
        FindingEffect.Benign => Verdict.Ignorable,
        FindingEffect.Throttled => Verdict.Throttled,
        FindingEffect.Recovered => Verdict.ResetRecovered,
        FindingEffect.Unrecognised => Verdict.Unrecognised,
        FindingEffect.NotEna => Verdict.NotEna,
        FindingEffect.Failure => Verdict.Failure,
        FindingEffect.NotReady => Verdict.NotReady,
        FindingEffect.BuildFailure => Verdict.BuildFailure,
        _ => throw new ArgumentOutOfRangeException(nameof(effect), effect, null),
    };

    /// <summary>The severity a finding has at least, given what it does to the verdict.</summary>
    public static Severity MinimumSeverity(this FindingEffect effect) => effect switch
    {
        FindingEffect.Advice or FindingEffect.Benign => Severity.Info,
        FindingEffect.Throttled or FindingEffect.Recovered or FindingEffect.Unrecognised => Severity.Warning,
        _ => Severity.Error,
    };
}
