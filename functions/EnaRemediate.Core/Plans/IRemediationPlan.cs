namespace EnaRemediate.Core.Plans;

/// <summary>
/// A named sequence of steps plus the step that undoes them. Plans are registered in
/// <see cref="PlanRegistry"/> by name, so a new plan (offline repair, AMI re-registration) is a
/// new class and one registration; the reconciler does not change.
/// </summary>
public interface IRemediationPlan
{
    string Name { get; }

    IReadOnlyList<IPlanStep> Steps { get; }

    /// <summary>Drives the instance back to the safest reachable state and ends the record; null when the plan changes nothing that needs undoing.</summary>
    IPlanStep? Rollback { get; }
}

/// <summary>The plans the engine can execute, by name.</summary>
public sealed class PlanRegistry
{
    private readonly Dictionary<string, IRemediationPlan> _plans = new(StringComparer.Ordinal);

    public PlanRegistry(IEnumerable<IRemediationPlan> plans)
    {
        foreach (var plan in plans)
        {
            _plans.Add(plan.Name, plan);
        }
    }

    public bool TryGet(string name, out IRemediationPlan plan) => _plans.TryGetValue(name, out plan!);

    public IEnumerable<IRemediationPlan> All => _plans.Values;
}
