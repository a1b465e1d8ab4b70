using EnaRemediate.Core.Engine;
using System.Collections.Immutable;
using EnaRemediate.Core.Engine.Validation;
using EnaRemediate.Core.Plans.Steps;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Core.Plans.Diagnose;

/// <summary>diagnose-only: collect the host report when SSM can reach the instance, judge it, change nothing.</summary>
public sealed class DiagnosePlan(IHostValidator validator) : IRemediationPlan
{
    public string Name => PlanNames.DiagnoseOnly;
    public IReadOnlyList<IPlanStep> Steps { get; } = [new DiagnoseStep(validator)];
    public IPlanStep? Rollback => null;

    private sealed class DiagnoseStep : IPlanStep
    {
        private readonly RunCommandStep _collect;

        public DiagnoseStep(IHostValidator validator)
        {
            _collect = new RunCommandStep("diagnose", o => o.CollectDocument, _ => new Dictionary<string, IReadOnlyList<string>>(), invocation =>
            {
                if (CommandOutput.ParseHostReport(invocation.StandardOutput) is not { } report)
                {
                    return new(false, $"no host report in the output ({invocation.Status})");
                }
                var installed = validator.CheckDriverInstalled(report);
                var bound = validator.CheckEnaBound(report);
                return new(true, $"{installed.Reason}; {bound.Reason}",
                    ImmutableDictionary<string, string>.Empty.Add(MemoKeys.FinalVerdict, installed.Verdict ?? bound.Verdict ?? (installed.Passed && bound.Passed ? "passed" : "failed")));
            });
        }

        public string Name => "diagnose";
        public IReadOnlyList<string> Permissions => _collect.Permissions;
        public IReadOnlySet<string> ValidOriginStates => _collect.ValidOriginStates;
        public EngineAction? PlannedAction(EngineOptions options) => _collect.PlannedAction(options);

        public StepDecision Decide(StepContext context)
        {
            var facts = context.Facts;
            if (context.Memo(MemoKeys.CommandId(Name)) is null && !facts.IsHealthyAndManaged)
            {
                return new StepDecision.Finish(Outcomes.Diagnosed,
                    $"not reachable through SSM, so no host report: state {facts.State}, instance check {facts.Status?.InstanceStatus ?? "unknown"}, system check {facts.Status?.SystemStatus ?? "unknown"}, enaSupport {(facts.Instance?.EnaSupport == true ? "on" : "off")}");
            }
            return _collect.Decide(context) switch
            {
                StepDecision.Next next => new StepDecision.Finish(Outcomes.Diagnosed, next.Event, next.Memo),
                StepDecision.Fail fail => new StepDecision.Finish(Outcomes.Diagnosed, $"could not collect a host report: {fail.Reason}"),
                var other => other,
            };
        }
    }
}
