namespace EnaRemediate.Simulator.World;

/// <summary>Faults that belong to one instance (set from a scenario or by a test through the world).</summary>
public sealed class InstanceFaults
{
    /// <summary>A normal stop never finishes; only a forced stop does.</summary>
    public bool StuckStopping { get; set; }
    /// <summary>Starts fail with InsufficientInstanceCapacity this many more times.</summary>
    public int InsufficientCapacityStarts { get; set; }
    /// <summary>Starts on any Xen type fail with InsufficientInstanceCapacity (the zone has no capacity left for the old hardware).</summary>
    public bool NoXenCapacity { get; set; }
    /// <summary>The SSM agent never comes online, even when the instance is reachable.</summary>
    public bool SsmAgentNeverOnline { get; set; }
    /// <summary>The driver-install document's DKMS build fails on every kernel.</summary>
    public bool DriverBuildFails { get; set; }
    /// <summary>With enaSupport on again, the ENA device fails: validation reports it and fails.</summary>
    public bool ValidationFailsAfterEnaEnabled { get; set; }
    /// <summary>The system status check (AWS's side) is impaired.</summary>
    public bool SystemCheckImpaired { get; set; }
    /// <summary>
    /// Standard output that runs of a document (by name) print on this instance instead of their
    /// own: a broken or hostile host (truncated JSON, null elements, random bytes). The exit code stays the document's.
    /// </summary>
    public Dictionary<string, string> OutputOverrides { get; } = new(StringComparer.Ordinal);
    /// <summary>Standard error that runs of a document (by name) print on this instance instead of their own (a chatty build).</summary>
    public Dictionary<string, string> ErrorOverrides { get; } = new(StringComparer.Ordinal);
}

/// <summary>Every injectable fault: per instance, and bursts of server errors for the whole endpoint.</summary>
public sealed class FaultInjector
{
    private readonly Dictionary<string, InstanceFaults> _perInstance = new(StringComparer.Ordinal);
    private readonly object _sync = new();
    private int _serverErrors;
    private string? _serverErrorAction;
    private int _refusedLaunches;

    /// <summary>
    /// Document parameters the account's copies of the documents do not declare yet (documents
    /// deployed before the engine that sends them): SendCommand naming one is InvalidParameters.
    /// </summary>
    public HashSet<(string Document, string Parameter)> UndeclaredParameters { get; } = [];

    public InstanceFaults For(string instanceId)
    {
        lock (_sync)
        {
            if (!_perInstance.TryGetValue(instanceId, out var faults))
            {
                faults = new InstanceFaults();
                _perInstance[instanceId] = faults;
            }
            return faults;
        }
    }

    /// <summary>The next <paramref name="count"/> requests (of <paramref name="action"/> only, when given) answer HTTP 503 Unavailable.</summary>
    public void InjectServerErrors(int count, string? action = null)
    {
        lock (_sync)
        {
            _serverErrors = count;
            _serverErrorAction = action;
        }
    }

    /// <summary>The next <paramref name="count"/> RunInstances answer VcpuLimitExceeded (the account's vCPU quota is used up).</summary>
    public void RefuseLaunches(int count)
    {
        lock (_sync)
        {
            _refusedLaunches = count;
        }
    }

    internal bool TryTakeRefusedLaunch()
    {
        lock (_sync)
        {
            if (_refusedLaunches <= 0)
            {
                return false;
            }
            _refusedLaunches--;
            return true;
        }
    }

    internal bool TryTakeServerError(string action)
    {
        lock (_sync)
        {
            if (_serverErrors <= 0 || (_serverErrorAction is not null && _serverErrorAction != action))
            {
                return false;
            }
            _serverErrors--;
            return true;
        }
    }
}
