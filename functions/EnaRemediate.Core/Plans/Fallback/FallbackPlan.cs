using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Engine.Validation;
using EnaRemediate.Core.Plans.Steps;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Plans.Fallback;

/// <summary>
/// The fallback plan for EBS-backed instances whose type supports running without ENA:
/// stop → enaSupport off → start → SSM online → install the driver → validate every kernel has it →
/// stop → enaSupport on → start → SSM online → validate ena is bound → both status checks ok →
/// (stop again if found stopped).
/// Any failure after the first stop rolls back to the best reachable state (<see cref="FallbackRollbackStep"/>).
/// </summary>
public sealed class FallbackPlan : IRemediationPlan
{
    public const string ValidateInstallStep = "validate-install";
    public const string ValidateFinalStep = "validate-final";

    public FallbackPlan(IHostValidator validator)
    {
        Steps =
        [
            new StopStep("stop"),
            new SetEnaSupportStep("ena-off", enabled: false),
            new StartStep("start-without-ena"),
            new AwaitHealthyStep("await-healthy-without-ena", ssmOnlineSuffices: true),
            InstallDriver(),
            ValidateInstall(validator),
            new StopStep("stop-for-ena"),
            new SetEnaSupportStep("ena-on", enabled: true),
            new StartStep("start-with-ena"),
            // The agent Online with ENA on means ena carries the network: validate then, and let
            // EC2's status checks (a minute or three) settle while the report is collected.
            new AwaitHealthyStep("await-online-with-ena", ssmOnlineSuffices: true),
            ValidateFinal(validator),
            new AwaitHealthyStep("await-healthy-with-ena"),
            new LeaveAsFoundStep("finish", "ENA on, the driver installed for every kernel and bound"),
        ];
    }

    public string Name => PlanNames.Fallback;
    public IReadOnlyList<IPlanStep> Steps { get; }
    public IPlanStep? Rollback { get; } = new FallbackRollbackStep();

    /// <summary>install-driver: the install document (DKMS for every installed kernel) with the engine's driver parameters; shared with reregister-ami's replacement journey.</summary>
    public static RunCommandStep InstallDriver() =>
        new("install-driver", o => o.InstallDocument, o => o.InstallParameters, JudgeInstall, ExpectedLatencies.DriverInstall);

    /// <summary>validate-install: the host report must show the driver installed for every kernel.</summary>
    public static RunCommandStep ValidateInstall(IHostValidator validator) =>
        new(ValidateInstallStep, o => o.CollectDocument, _ => NoParameters, i => JudgeReport(i, validator.CheckDriverInstalled, MemoKeys.DriverValidated));

    /// <summary>validate-final: the host report must show ena bound with ENA on.</summary>
    public static RunCommandStep ValidateFinal(IHostValidator validator) =>
        new(ValidateFinalStep, o => o.CollectDocument, _ => DeviceWideCounters, i => JudgeReport(i, validator.CheckEnaBound, MemoKeys.FinalVerdict),
            optionalParameters: new HashSet<string>(DeviceWideCounters.Keys));

    internal static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoParameters = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// The final report without per-queue counters: no per-queue counter can fail the verdict
    /// (docs/host-report.md), and without them a short ENA host's report fits in the command listing's
    /// 2,500 characters, so its output needs no GetCommandInvocation (one call fewer per instance).
    /// Optional: a collect document deployed before it had Counters gets the whole report instead
    /// of a refused command (a refused final validation would roll back a recovered instance).
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> DeviceWideCounters = new Dictionary<string, IReadOnlyList<string>> { ["Counters"] = ["global"] };

    internal static CommandJudgement JudgeInstall(CommandInvocation invocation)
    {
        var result = CommandOutput.ParseInstallResult(invocation.StandardOutput);
        if (result is null)
        {
            return new(false, $"the driver install printed no install result (command {invocation.Status}, exit {invocation.ResponseCode?.ToString() ?? "unknown"})");
        }
        if (!invocation.Succeeded || result.Status is not ("installed" or "unchanged"))
        {
            var failed = string.Join("; ", (result.Kernels ?? []).Where(k => k.Error is not null || k.Dkms == "failed").Select(k => $"{k.Kernel}: {k.Error ?? "dkms failed"}"));
            return new(false, $"the driver install {result.Status ?? invocation.Status}: {(failed.Length > 0 ? failed : "no kernel detail")}");
        }
        var installed = ImmutableDictionary<string, string>.Empty;
        if (result.Version is { } version && ParameterValidator.IsVersion(version))
        {
            installed = installed.Add(MemoKeys.InstalledDriver, version);
        }
        return new(true, $"driver {result.Version} {result.Status} for {(result.Kernels ?? []).Count} kernel(s)", installed);
    }

    internal static CommandJudgement JudgeReport(CommandInvocation invocation, Func<HostReports.HostReport, ValidationResult> check, string memoKey)
    {
        if (!invocation.Succeeded)
        {
            return new(false, $"collecting the host report {invocation.Status} (exit {invocation.ResponseCode?.ToString() ?? "unknown"})");
        }
        if (CommandOutput.ParseHostReport(invocation.StandardOutput) is not { } report)
        {
            return new(false, "the host report could not be read from the command output");
        }
        var result = check(report);
        var memo = ImmutableDictionary<string, string>.Empty.Add(memoKey, result.Verdict ?? (result.Passed ? "passed" : "failed"));
        if (result.EnaModuleVersion is { } version)
        {
            memo = memo.SetItem(MemoKeys.EnaModuleVersion, version);
        }
        return new(result.Passed, result.Reason, memo);
    }
}
