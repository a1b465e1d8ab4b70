using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EnaRemediate.Functions.Tests.Support;

/// <summary>
/// The input the EnaRemediate-Recover runbook's StartWorkflow step (aws:executeStateMachine) starts
/// the workflow with: its own template from infra/runbooks, each {{ Parameter }} replaced as
/// Automation renders it (Booleans as "true"/"false", the execution id for automation:EXECUTION_ID).
/// Read from the document so a change to what the runbook sends changes what the tests run.
/// </summary>
public static partial class RunbookInput
{
    public const string ExecutionId = "4105a4fc-f944-11e6-9d32-0123456789ab";

    [GeneratedRegex(@"^\s+input: '(?<template>.+)'\s*$", RegexOptions.Multiline)]
    private static partial Regex InputLine();

    [GeneratedRegex(@"\{\{ (?<name>[\w:]+) \}\}")]
    private static partial Regex Placeholder();

    public static JsonNode Render(IEnumerable<string> instanceIds, string mode = "remediate", bool dryRun = false)
    {
        var document = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "runbooks", "EnaRemediate-Recover.yaml"));
        var template = Assert.Single(InputLine().Matches(document)).Groups["template"].Value.Replace("''", "'", StringComparison.Ordinal);
        var values = new Dictionary<string, string>
        {
            ["InstanceIds"] = string.Join(",", instanceIds),
            ["Mode"] = mode,
            ["DryRun"] = dryRun ? "true" : "false",
            ["LaunchReplacement"] = "false",
            ["AsgStandby"] = "false",
            ["automation:EXECUTION_ID"] = ExecutionId,
        };
        return JsonNode.Parse(Placeholder().Replace(template, m => values[m.Groups["name"].Value]))!;
    }
}
