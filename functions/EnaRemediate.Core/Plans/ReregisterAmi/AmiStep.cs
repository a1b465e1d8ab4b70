using System.Collections.Immutable;
using System.Text.Json;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>
/// What every step of the reregister-ami plan shares. None of them touches the instance, so any
/// instance state is a valid origin (the AMI can be registered whatever the instance does), and
/// none declares ec2:StopInstances, RebootInstances or TerminateInstances.
/// </summary>
public abstract class AmiStep(string name, AmiRegistrar registrar) : IPlanStep
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static readonly IReadOnlySet<string> AnyInstanceState = new HashSet<string>(StringComparer.Ordinal)
    {
        "pending", "running", "stopping", "stopped", "shutting-down", "terminated", "not-found", "unknown",
    };

    public string Name { get; } = name;
    public abstract IReadOnlyList<string> Permissions { get; }
    public IReadOnlySet<string> ValidOriginStates => AnyInstanceState;
    protected AmiRegistrar Registrar { get; } = registrar;

    public virtual EngineAction? PlannedAction(EngineOptions options) => PlanCall.Planned(Permissions[0], Name);

    public abstract StepDecision Decide(StepContext context);

    protected static string ToJson<T>(T value) => JsonSerializer.Serialize(value, Json);

    protected static T? FromJson<T>(string? json) where T : class => json is null ? null : JsonSerializer.Deserialize<T>(json, Json);

    protected static Ec2Image? Source(StepContext context) => FromJson<Ec2Image>(context.Memo(AmiMemo.Source));

    protected static ImmutableDictionary<string, string> Memo(params (string Key, string Value)[] entries) =>
        ImmutableDictionary<string, string>.Empty.SetItems(entries.Select(e => KeyValuePair.Create(e.Key, e.Value)));
}
