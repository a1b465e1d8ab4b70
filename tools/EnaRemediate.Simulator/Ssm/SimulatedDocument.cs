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

    /// <summary>
    /// The OS the document works on: the instance's own, or with TargetDevice (offline repair from a
    /// rescue instance) the OS on the volume attached at that device; null when nothing is attached there.
    /// </summary>
    public GuestOs? TargetGuest()
    {
        if (Single(TargetDeviceParameter) is not { } device)
        {
            return Instance.Guest;
        }
        return World.VolumesOf(Instance.InstanceId)
            .FirstOrDefault(v => v.Attachment!.Device == device && v.Attachment.StateAt(At) == "attached")?.Guest;
    }

    /// <summary>Optional on both EnaRemediate documents: work on the OS of the volume attached at this device (a chroot).</summary>
    public const string TargetDeviceParameter = "TargetDevice";
}

internal sealed record DocumentResult(int ExitCode, string Stdout, string Stderr);

/// <summary>An SSM Command document the simulated agent knows how to run against the guest model.</summary>
internal abstract partial class SimulatedDocument
{
    /// <summary>Checks the optional TargetDevice parameter: a secondary block device name only.</summary>
    protected static void ValidateTargetDevice(IReadOnlyDictionary<string, IReadOnlyList<string>> parameters)
    {
        if (parameters.TryGetValue(DocumentRun.TargetDeviceParameter, out var values) && values.Any(v => !SecondaryDevice().IsMatch(v)))
        {
            throw new ApiException("InvalidParameters", "Parameter \"TargetDevice\" does not match the allowed pattern.");
        }
    }

    protected static DocumentResult NoTargetVolume(DocumentRun run) =>
        new(1, "", $"no volume is attached at {run.Single(DocumentRun.TargetDeviceParameter)}\n");

    [System.Text.RegularExpressions.GeneratedRegex("^/dev/(sd|xvd)[b-z]$")]
    private static partial System.Text.RegularExpressions.Regex SecondaryDevice();

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
