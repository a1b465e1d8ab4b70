using System.Collections.Immutable;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.Steps;

/// <summary>What a command step concluded from a finished invocation, and what to remember of it.</summary>
public sealed record CommandJudgement(bool Passed, string Reason, ImmutableDictionary<string, string>? Memo = null);

/// <summary>
/// Runs an SSM Command document on the instance and judges its output. The command id is kept in
/// the memo; while it runs the step polls its invocation. A send lost to a crash (no id saved) is
/// sent again: the documents are idempotent (the install re-checks what is installed).
/// Polling follows the document's expected duration: a DKMS build takes minutes, a host report seconds.
/// A command needs the SSM agent online, not the status checks.
/// </summary>
public sealed class RunCommandStep(
    string name,
    Func<EngineOptions, string> document,
    Func<EngineOptions, IReadOnlyDictionary<string, IReadOnlyList<string>>> parameters,
    Func<CommandInvocation, CommandJudgement> judge,
    ExpectedLatency? expected = null,
    IReadOnlySet<string>? optionalParameters = null) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ssm:SendCommand", "ssm:ListCommandInvocations", "ssm:GetCommandInvocation"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "running" };
    public EngineAction? PlannedAction(EngineOptions options) => Action(options);

    private ExpectedLatency Expected => expected ?? ExpectedLatencies.ShortCommand;

    /// <summary>Sending needs the agent Online; waiting for the sent command's result needs only the result.</summary>
    public bool ObservesHealth(RemediationRecord record) => ObservesInstance(record);

    /// <summary>Sending reads the instance (running, its agent); waiting reads only the invocation.</summary>
    public bool ObservesInstance(RemediationRecord record) => !record.Memo.ContainsKey(MemoKeys.CommandId(Name));

    /// <summary>Sending needs the state, the checks and the agent, not the description.</summary>
    public bool ObservesAttributes(RemediationRecord record) => false;

    public SendCommandAction Action(EngineOptions options) => new(document(options), parameters(options), MemoKeys.CommandId(Name))
    {
        Expected = Expected,
        OptionalParameters = optionalParameters ?? SendCommandAction.NoneOptional,
    };

    public StepDecision Decide(StepContext context)
    {
        if (context.Memo(MemoKeys.CommandId(Name)) is null)
        {
            if (SystemCheck.Impaired(context.Facts) is { } system)
            {
                return new StepDecision.Fail(system);
            }
            if (!context.Facts.IsManaged)
            {
                return new StepDecision.Fail($"the instance cannot take an SSM command (state {context.Facts.State}, instance check {context.Facts.Status?.InstanceStatus ?? "unknown"}, SSM {context.Facts.PingText})");
            }
            return new StepDecision.Act(Action(context.Options), $"running {document(context.Options)}");
        }
        var invocation = context.Invocation;
        if (invocation is null || !invocation.IsFinal)
        {
            if (context.InStepFor > context.Options.CommandTimeout)
            {
                return new StepDecision.Fail($"{document(context.Options)} did not finish within {context.Options.CommandTimeout.TotalMinutes:0} minutes");
            }
            return new StepDecision.Wait(Expected.NextLook(context.InStepFor), $"waiting for {document(context.Options)} ({invocation?.Status ?? "sent"})");
        }
        var judgement = judge(invocation);
        return judgement.Passed
            ? new StepDecision.Next(judgement.Reason, judgement.Memo)
            : new StepDecision.Fail(judgement.Reason);
    }
}
