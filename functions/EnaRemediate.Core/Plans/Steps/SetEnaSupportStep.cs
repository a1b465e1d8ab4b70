using System.Collections.Immutable;
using EnaRemediate.Core.Engine;

namespace EnaRemediate.Core.Plans.Steps;

/// <summary>Sets the enaSupport attribute of a stopped instance, recording the value it had first.</summary>
public sealed class SetEnaSupportStep(string name, bool enabled) : IPlanStep
{
    public string Name => name;
    public IReadOnlyList<string> Permissions { get; } = ["ec2:ModifyInstanceAttribute"];
    public IReadOnlySet<string> ValidOriginStates { get; } = new HashSet<string> { "stopped" };
    public EngineAction? PlannedAction(EngineOptions options) => new SetEnaSupportAction(enabled);
    public bool ObservesHealth(RemediationRecord record) => false;

    public StepDecision Decide(StepContext context)
    {
        var instance = context.Facts.Instance;
        if (context.Facts.State != "stopped" || instance is null)
        {
            return new StepDecision.Fail($"expected the instance stopped to change enaSupport, found it {context.Facts.State}");
        }
        if (instance.EnaSupport == enabled)
        {
            return new StepDecision.Next($"enaSupport is {(enabled ? "on" : "off")}");
        }
        UndoEntry? undo = context.Record.UndoLog.Any(u => u.Action == UndoActions.RestoreEnaSupport)
            ? null
            : new UndoEntry(UndoActions.RestoreEnaSupport, $"enaSupport was {(instance.EnaSupport ? "on" : "off")} when found",
                ImmutableDictionary<string, string>.Empty.Add("found", instance.EnaSupport ? "true" : "false"), context.Now);
        return new StepDecision.Act(new SetEnaSupportAction(enabled), $"setting enaSupport {(enabled ? "on" : "off")}", Undo: undo);
    }
}
