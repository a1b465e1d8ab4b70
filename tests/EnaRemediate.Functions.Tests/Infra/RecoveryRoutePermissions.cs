using System.Reflection;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Functions.Tests.Infra;

/// <summary>
/// The one place where template.yaml's roles may differ from what the code reaches (everything
/// else is derived by <see cref="AwsCallGraph"/>). Edit it here when merging a recovery route: an
/// action that the code now calls must leave <see cref="Reserved"/> (the test says so).
/// </summary>
public static class RecoveryRoutePermissions
{
    /// <summary>The role that carries out plan steps, and so the recovery routes' calls.</summary>
    public const string ExecutingHandler = "advance";

    /// <summary>
    /// Granted to <see cref="ExecutingHandler"/>'s role, scoped as issue 12 asks, for a route being added
    /// before any [AwsAction] declares it. Empty since type swap and offline repair declare their calls.
    /// </summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Code paths whose calls are deliberately not granted. EC2's DryRun needs the real permission, so
    /// the entry points' dry-run checks (StopInstances, StartInstances, ModifyInstanceAttribute with
    /// DryRun) would give intake, sweep and register-ami the power to change instances; in AWS those
    /// checks answer UnauthorizedOperation and the advance role is checked by the IAM evaluator tests.
    /// </summary>
    public static bool IsNotGranted(MethodBase method) =>
        method.DeclaringType == typeof(RemediationService) && method.Name == "DryRunCheckAsync";

    /// <summary>The tag keys the stack owns (set on what it creates); never the deployment's opt-in key.</summary>
    public static readonly IReadOnlyList<string> StackTagKeys =
        ["EnaRemediate:LaunchedBy", "EnaRemediate:RemediationId", "EnaRemediate:SourceImage", "EnaRemediate:OriginalRootOf", ClaimKeyPrefix];

    /// <summary>Claims of a rescue's devices: "EnaRemediate:Claim:i-…", only on rescues the stack launched.</summary>
    public const string ClaimKeyPrefix = "EnaRemediate:Claim:";
}
