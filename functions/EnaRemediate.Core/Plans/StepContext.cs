using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Facts;

namespace EnaRemediate.Core.Plans;

/// <summary>What a step sees when it decides: the record, fresh facts, the time, and the invocation of the command it sent (if any).</summary>
public sealed record StepContext(
    RemediationRecord Record,
    InstanceFacts Facts,
    DateTimeOffset Now,
    EngineOptions Options,
    CommandInvocation? Invocation)
{
    /// <summary>When the record entered its current step (kept in the memo by the reconciler).</summary>
    public DateTimeOffset StepStartedAt =>
        Record.Memo.TryGetValue(MemoKeys.StepStartedAt, out var s) && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var t) ? t : Record.UpdatedAt;

    public TimeSpan InStepFor => Now - StepStartedAt;

    /// <summary>Time in the step since EC2 last refused a start for lack of capacity: the clock a start or health timeout runs on (waiting for capacity has its own limit).</summary>
    public TimeSpan InStepSinceCapacity => Now - (MemoTime(MemoKeys.CapacityLastRefusedAt) is { } refused && refused > StepStartedAt ? refused : StepStartedAt);

    /// <summary>
    /// Time since AWS first accepted this step's call of <paramref name="awsAction"/> and since EC2
    /// last refused it for capacity, whichever is later: the clock of "asked, but it did not take".
    /// Zero before the first accepted call: waiting for the engine's own pacing is no timeout.
    /// </summary>
    public TimeSpan SinceAccepted(string awsAction) =>
        MemoTime(MemoKeys.FirstAcceptedAt(Record.Step, awsAction)) is not { } first ? TimeSpan.Zero
            : Now - (MemoTime(MemoKeys.CapacityLastRefusedAt) is { } refused && refused > first ? refused : first);

    public string? Memo(string key) => Record.Memo.TryGetValue(key, out var v) ? v : null;

    public DateTimeOffset? MemoTime(string key) =>
        Memo(key) is { } s && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var t) ? t : null;

    /// <summary>The instance was stopped when the remediation began: it must end stopped.</summary>
    public bool FoundStopped => Memo(MemoKeys.FoundState) == "stopped";

    /// <summary>Calls of this AWS action the current step made that AWS accepted (the reconciler counts them).</summary>
    public int CallsMade(string awsAction) => int.TryParse(Memo(MemoKeys.Calls(Record.Step, awsAction)), out var n) ? n : 0;
}

/// <summary>Keys of <see cref="RemediationRecord.Memo"/> shared between the reconciler and the steps.</summary>
public static class MemoKeys
{
    public const string FoundState = "found.state";
    public const string FoundEnaSupport = "found.enaSupport";
    public const string StepStartedAt = "step.startedAt";
    public const string FailureReason = "failure.reason";
    public const string FailedStep = "failure.step";
    public const string DriverValidated = "driver.validated";
    public const string FinalVerdict = "final.verdict";
    public const string EnaModuleVersion = "final.enaModuleVersion";

    /// <summary>The SSM command id a step sent; the reconciler fetches its invocation on the next look.</summary>
    public static string CommandId(string step) => $"{step}.commandId";

    /// <summary>The document of the command a step sent: the reconciler lists a fleet's invocations of it in a few calls.</summary>
    public static string CommandDocument(string step) => $"{step}.commandDocument";

    /// <summary>
    /// When the step decided a SendCommand whose answer is not saved yet (set with the decision,
    /// before the call; cleared once the id is saved or the call was certainly not made): a look
    /// that finds it must first look for that command on the host, since a crash may have lost its id.
    /// </summary>
    public static string SendingSince(string step) => $"{step}.sendingSince";

    public static string StopRequestedAt(string step) => $"{step}.stopRequestedAt";

    public static string ForcedAt(string step) => $"{step}.forcedAt";

    /// <summary>The step's accepted StopInstances calls when it decided a forced stop: one more means the force took.</summary>
    public static string ForcedCalls(string step) => $"{step}.forcedCalls";

    /// <summary>When AWS first accepted this AWS action from this step.</summary>
    public static string FirstAcceptedAt(string step, string awsAction) => $"{step}.firstAcceptedAt.{awsAction}";

    /// <summary>Accepted calls of one AWS action in one step: bounded by EngineOptions.MaxCallsPerStep.</summary>
    public static string Calls(string step, string awsAction) => $"{step}.calls.{awsAction}";

    /// <summary>When EC2 first answered InsufficientInstanceCapacity to this step's start (cleared by a new step or an accepted start).</summary>
    public const string CapacitySince = "capacity.since";
    public const string CapacityTries = "capacity.tries";
    public const string CapacityLastRefusedAt = "capacity.lastRefusedAt";
    /// <summary>Both status checks ok and SSM Online when the record was created.</summary>
    public const string FoundHealthy = "found.healthy";
    /// <summary>The instance status check when the record was created (ok, impaired, initializing…).</summary>
    public const string FoundInstanceCheck = "found.instanceCheck";
    /// <summary>The remediation was forced past the "observed broken" and cool-down checks.</summary>
    public const string Forced = "forced";
    /// <summary>The driver version the install step installed (or found installed), for the rollback's account of what remains.</summary>
    public const string InstalledDriver = "driver.installed";
    /// <summary>What the rollback left changed, in plain words (the CLI and notifications print it).</summary>
    public const string Remains = "remains";
    /// <summary>When the rollback, having restored enaSupport on as found, saw the instance fail its status check: from then on off is the reachable state.</summary>
    public const string EnaOnUnreachable = "rollback.enaOnUnreachable";
}
