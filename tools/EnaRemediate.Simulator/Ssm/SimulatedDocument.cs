using System.Text.RegularExpressions;
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

/// <summary>One declared parameter: null default means required; the pattern is SSM's allowedPattern.</summary>
internal sealed record DocumentParameter(string Name, string? Default, Regex Pattern);

/// <summary>An SSM Command document the simulated agent knows how to run against the guest model.</summary>
internal abstract partial class SimulatedDocument
{
    public abstract string Name { get; }
    /// <summary>The plugin (step) name GetCommandInvocation reports.</summary>
    public abstract string PluginName { get; }
    public abstract IReadOnlyList<DocumentParameter> Parameters { get; }

    /// <summary>
    /// What SendCommand does with a document's parameters: unknown names, missing required ones and
    /// values that break the allowedPattern are InvalidParameters; the result has every default filled in.
    /// <paramref name="undeclared"/> names parameters the account's older copy of the document lacks.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Resolve(IReadOnlyDictionary<string, IReadOnlyList<string>> given, Func<string, bool> undeclared)
    {
        foreach (var name in given.Keys.Where(n => undeclared(n) || Parameters.All(p => p.Name != n)))
        {
            throw new ApiException("InvalidParameters", $"Parameter \"{name}\" is not defined in document {Name}.");
        }
        var resolved = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var parameter in Parameters)
        {
            IReadOnlyList<string> values = given.TryGetValue(parameter.Name, out var v) && v.Count > 0
                ? v
                : parameter.Default is { } d ? [d] : throw new ApiException("InvalidParameters", $"Parameter \"{parameter.Name}\" is required by document {Name}.");
            if (values.Count != 1 || !parameter.Pattern.IsMatch(values[0]))
            {
                throw new ApiException("InvalidParameters", $"Parameter \"{parameter.Name}\" does not match the allowed pattern {parameter.Pattern}.");
            }
            resolved[parameter.Name] = values;
        }
        return resolved;
    }

    public abstract TimeSpan Duration(Random random);
    public abstract DocumentResult Run(DocumentRun run);

    /// <summary>The instance a run acts for when it is not the one it runs on (the timeline's <see cref="TimelineEntry.Subject"/>); null for most documents.</summary>
    public virtual string? Subject(DocumentRun run) => null;

}

/// <summary>AWS-RunShellScript: accepted so operators can poke at a simulated host; it runs nothing and says so.</summary>
internal sealed partial class RunShellScriptDocument : SimulatedDocument
{
    public override string Name => "AWS-RunShellScript";
    public override string PluginName => "aws:runShellScript";
    public override IReadOnlyList<DocumentParameter> Parameters { get; } =
    [
        new("commands", null, Anything()),
        new("workingDirectory", "", Anything()),
        new("executionTimeout", "3600", Seconds()),
    ];

    public override TimeSpan Duration(Random random) => random.Draw(Latencies.ShortCommand);

    public override DocumentResult Run(DocumentRun run) =>
        new(0, $"simulated host {run.Instance.InstanceId}: shell commands are not executed by the simulator\n", "");

    [GeneratedRegex("^[\\s\\S]{0,100000}$")]
    private static partial Regex Anything();

    [GeneratedRegex("^[0-9]{1,6}$")]
    private static partial Regex Seconds();
}
