using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>What a document sees when it runs: the world at that moment, the instance, the parameters.</summary>
internal sealed record DocumentRun(
    SimulatedWorld World,
    SimulatedInstance Instance,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters,
    DateTimeOffset At)
{
    public string? Single(string name) => Parameters.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;
}

internal sealed record DocumentResult(int ExitCode, string Stdout, string Stderr);

/// <summary>An SSM Command document the simulated agent knows how to run against the guest model.</summary>
internal abstract class SimulatedDocument
{
    public abstract string Name { get; }
    /// <summary>The plugin (step) name GetCommandInvocation reports.</summary>
    public abstract string PluginName { get; }
    public virtual IReadOnlyCollection<string> RequiredParameters => [];
    public virtual IReadOnlyCollection<string> OptionalParameters => [];

    /// <summary>Rejects bad parameters at SendCommand, as SSM does with the document's allowedPattern (InvalidParameters).</summary>
    public virtual void Validate(IReadOnlyDictionary<string, IReadOnlyList<string>> parameters)
    {
        foreach (var required in RequiredParameters)
        {
            if (!parameters.TryGetValue(required, out var values) || values.Count == 0 || values.All(string.IsNullOrWhiteSpace))
            {
                throw new ApiException("InvalidParameters", $"Parameter \"{required}\" is required by document {Name}.");
            }
        }
        foreach (var name in parameters.Keys)
        {
            if (!RequiredParameters.Contains(name) && !OptionalParameters.Contains(name))
            {
                throw new ApiException("InvalidParameters", $"Parameter \"{name}\" is not defined in document {Name}.");
            }
        }
    }

    public abstract TimeSpan Duration(Random random);
    public abstract DocumentResult Run(DocumentRun run);
}

/// <summary>AWS-RunShellScript: accepted so operators can poke at a simulated host; it runs nothing and says so.</summary>
internal sealed class RunShellScriptDocument : SimulatedDocument
{
    public override string Name => "AWS-RunShellScript";
    public override string PluginName => "aws:runShellScript";
    public override IReadOnlyCollection<string> RequiredParameters => ["commands"];
    public override IReadOnlyCollection<string> OptionalParameters => ["workingDirectory", "executionTimeout"];
    public override TimeSpan Duration(Random random) => random.Draw(Latencies.ShortCommand);

    public override DocumentResult Run(DocumentRun run) =>
        new(0, $"simulated host {run.Instance.InstanceId}: shell commands are not executed by the simulator\n", "");
}
