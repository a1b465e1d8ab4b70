using EnaRemediate.Core.Facts;

namespace EnaRemediate.Core.Plans.Steps;

/// <summary>
/// The rollback's account of what a failed remediation left changed, in the words the record,
/// the CLI and the notifications use: enaSupport against what was found, the instance state, the
/// instance type when a plan changed it, and the DKMS module the install left (with the command
/// that removes it). Shared so every plan's rollback says it the same way.
/// </summary>
public static class WhatRemains
{
    /// <summary>
    /// The enaSupport a rollback aims for: on only when the instance was found healthy with it on
    /// and has not since failed its status check with it on (the stop/start may have booted a newer
    /// kernel without ena); otherwise off, which keeps a type that supports running without ENA reachable.
    /// </summary>
    public static bool TargetEnaSupport(StepContext context) =>
        context.Memo(MemoKeys.FoundEnaSupport) == "true" && context.Memo(MemoKeys.FoundHealthy) == "true"
        && context.Memo(MemoKeys.EnaOnUnreachable) is null;

    public static string Describe(StepContext context, InstanceFacts facts, string? foundType = null)
    {
        var instance = facts.Instance;
        var ena = instance?.EnaSupport == true ? "on" : "off";
        var foundEna = context.Memo(MemoKeys.FoundEnaSupport) == "true" ? "on" : "off";
        var parts = new List<string>
        {
            ena == foundEna ? $"enaSupport {ena} as found" : $"enaSupport {ena} (found {foundEna}{(ena == "off" ? "; off keeps it reachable without the driver" : "")})",
            $"the instance {facts.State}{(facts.State == context.Memo(MemoKeys.FoundState) ? " as found" : $" (found {context.Memo(MemoKeys.FoundState) ?? "unknown"})")}",
        };
        if (foundType is not null)
        {
            parts.Add(instance?.InstanceType == foundType ? $"instance type {foundType} as found" : $"instance type {instance?.InstanceType ?? "unknown"} (found {foundType})");
        }
        parts.Add(Dkms(context));
        return string.Join("; ", parts);
    }

    private static string Dkms(StepContext context)
    {
        if (context.Memo(MemoKeys.InstalledDriver) is { } version)
        {
            return $"DKMS module ena/{version} stays installed for every kernel (unused while enaSupport is off; remove it with: sudo dkms remove ena/{version} --all)";
        }
        return context.Record.Memo.Keys.Any(k => k.StartsWith("install-", StringComparison.Ordinal) && k.EndsWith(".commandId", StringComparison.Ordinal))
            ? "the driver install did not complete (install-ena.sh removes what it added when it fails; 'dkms status ena' on the host shows whether anything remains, and sudo dkms remove ena/VERSION --all removes it)"
            : "no driver was installed";
    }
}
