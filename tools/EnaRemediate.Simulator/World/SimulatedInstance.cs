namespace EnaRemediate.Simulator.World;

/// <summary>
/// One EC2 instance. Its state is never advanced by a timer: every transition stores when it
/// began and when it ends (drawn once from the instance's seeded random source), and the state at
/// any moment is read from those, so a test clock can jump hours ahead in one step.
/// </summary>
public sealed class SimulatedInstance
{
    private readonly SimulatedWorld _world;
    private string _state;
    private DateTimeOffset? _transitionEnds;
    private string? _nextState;
    private bool _registeredInEarlierBoot;
    private readonly List<TimelineEntry> _timeline = [];

    internal SimulatedInstance(SimulatedWorld world, string instanceId, InstanceTypeInfo type, Random random, string state)
    {
        _world = world;
        InstanceId = instanceId;
        Type = type;
        Random = random;
        _state = state;
    }

    public string InstanceId { get; }
    public InstanceTypeInfo Type { get; internal set; }
    public required string ImageId { get; init; }
    public required string RootDeviceType { get; init; }
    public string RootDeviceName { get; init; } = "/dev/xvda";
    public required string VirtualizationType { get; init; }
    public string Architecture { get; init; } = "x86_64";
    public string? KernelId { get; init; }
    public string? RamdiskId { get; init; }
    public string AvailabilityZone { get; init; } = "us-east-1a";
    public required DateTimeOffset LaunchTime { get; init; }
    public required string PrivateIpAddress { get; init; }
    public string? InstanceLifecycle { get; init; }
    public string BootMode { get; init; } = "legacy-bios";
    /// <summary>Network interfaces attached (a type change must not go below it: MaximumNetworkInterfaces).</summary>
    public int NetworkInterfaces { get; init; } = 1;
    /// <summary>default, dedicated or host.</summary>
    public string Tenancy { get; init; } = "default";
    /// <summary>AWS Marketplace product codes, copied from the AMI (and carried by its root volume).</summary>
    public IReadOnlyList<string> ProductCodes { get; init; } = [];
    public bool EnaSupport { get; internal set; }
    public bool SriovNetSupport { get; init; }
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);
    /// <summary>Launch settings (from RunInstances or the scenario) that DescribeInstances reports and a replacement copies.</summary>
    public string SubnetId { get; internal set; } = "subnet-0a1b2c3d4e5f60718";
    public IReadOnlyList<string> SecurityGroupIds { get; internal set; } = ["sg-0a1b2c3d4e5f60718"];
    public string? KeyName { get; internal set; }
    public string? IamInstanceProfileArn { get; internal set; }
    /// <summary>Base64, as EC2 stores it.</summary>
    public string? UserData { get; internal set; }
    /// <summary>The RunInstances ClientToken: a repeat with the same token returns this instance instead of launching another.</summary>
    public string? ClientToken { get; internal set; }
    /// <summary>The OS of an instance-store-backed instance (EBS-backed ones keep theirs on the root volume).</summary>
    public GuestOs? LocalGuest { get; init; }
    public string StateTransitionReason { get; private set; } = "";
    public DateTimeOffset? BootedAt { get; private set; }
    public DateTimeOffset? ChecksAt { get; private set; }
    public DateTimeOffset? SsmOnlineAt { get; private set; }
    /// <summary>The kernel of the current boot: the newest one installed when the instance booted.</summary>
    public string? RunningKernel { get; private set; }
    internal Random Random { get; }
    /// <summary>Every stop, start, command and root volume move this instance went through, with the times the simulator drew for them.</summary>
    public IReadOnlyList<TimelineEntry> Timeline => _timeline;

    public bool IsInstanceStoreBacked => RootDeviceType == "instance-store";
    public bool IsParavirtual => VirtualizationType == "paravirtual";

    /// <summary>The state EC2 reports at <paramref name="now"/>.</summary>
    public string StateAt(DateTimeOffset now) =>
        _transitionEnds is { } ends && now >= ends && _nextState is not null ? _nextState : _state;

    public string State => StateAt(_world.Clock.GetUtcNow());

    /// <summary>The OS this instance boots: its root volume's, or its own for instance-store roots.</summary>
    public GuestOs? Guest => LocalGuest ?? _world.RootVolumeOf(this)?.Guest;

    /// <summary>The network driver the running guest binds, or null when nothing can bind (no network at all).</summary>
    public string? BoundNetworkDriver(DateTimeOffset now)
    {
        if (StateAt(now) != InstanceStates.Running || BootedAt is not { } booted || now < booted)
        {
            return null;
        }
        if (EnaSupport)
        {
            // ENA on a paravirtual guest never comes up (FACTS.md §1); on HVM it needs a module for the running kernel.
            return !IsParavirtual && RunningKernel is { } kernel && Guest?.Find(kernel)?.Ena is not null ? "ena" : null;
        }
        // A Xen type exposes EBS as xvd (blkfront): an fstab naming /dev/nvme* devices stops the boot in an emergency shell
        // (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/nvme-ebs-volumes.html).
        if (Type.Hypervisor == "xen" && Guest?.FstabNamesNvmeDevices == true)
        {
            return null;
        }
        return Type.EnaSupport == InstanceTypeInfo.Required ? null : Type.StockDriver;
    }

    /// <summary>Reachable on the network: derived from state, boot and drivers, never stored.</summary>
    public bool IsReachable(DateTimeOffset now) => BoundNetworkDriver(now) is not null;

    /// <summary>The instance status check: initializing, ok, impaired or not-applicable.</summary>
    public string InstanceStatusAt(DateTimeOffset now)
    {
        if (StateAt(now) != InstanceStates.Running)
        {
            return "not-applicable";
        }
        if (ChecksAt is not { } checks || now < checks)
        {
            return "initializing";
        }
        return IsReachable(now) ? "ok" : "impaired";
    }

    public string SystemStatusAt(DateTimeOffset now)
    {
        if (StateAt(now) != InstanceStates.Running)
        {
            return "not-applicable";
        }
        if (_world.Faults.For(InstanceId).SystemCheckImpaired)
        {
            return "impaired";
        }
        return ChecksAt is { } checks && now >= checks ? "ok" : "initializing";
    }

    /// <summary>SSM's view: null when the agent never registered, else Online or ConnectionLost.</summary>
    public string? PingStatusAt(DateTimeOffset now)
    {
        var online = IsOnlineInCurrentBoot(now);
        if (online)
        {
            return "Online";
        }
        return _registeredInEarlierBoot ? "ConnectionLost" : null;
    }

    private bool IsOnlineInCurrentBoot(DateTimeOffset now) =>
        Guest is { SsmAgentInstalled: true }
        && !_world.Faults.For(InstanceId).SsmAgentNeverOnline
        && SsmOnlineAt is { } online && now >= online
        && IsReachable(now);

    /// <summary>Marks the agent as having registered before (scenario fleets that broke after years of service).</summary>
    internal void MarkRegisteredEarlier() => _registeredInEarlierBoot = true;

    internal void Boot(DateTimeOffset now, TimeSpan delayBeforeBoot)
    {
        BootedAt = now + delayBeforeBoot + Random.Draw(Latencies.Boot);
        ChecksAt = BootedAt + Random.Draw(Latencies.StatusChecks);
        SsmOnlineAt = BootedAt + Random.Draw(Latencies.SsmRegistration);
        RunningKernel = Guest?.Newest?.Version;
    }

    /// <summary>A scenario's instance: running for a while already, booted, checks done, agent registered (if it could).</summary>
    internal void SetLongRunning(DateTimeOffset bootedAt)
    {
        _state = InstanceStates.Running;
        _transitionEnds = null;
        _nextState = null;
        BootedAt = bootedAt;
        ChecksAt = bootedAt + Random.Draw(Latencies.StatusChecks);
        SsmOnlineAt = bootedAt + Random.Draw(Latencies.SsmRegistration);
        RunningKernel = Guest?.Newest?.Version;
    }

    internal void SetStopped(string reason)
    {
        _state = InstanceStates.Stopped;
        _transitionEnds = null;
        _nextState = null;
        ClearBoot();
        StateTransitionReason = reason;
    }

    internal void BeginStart(DateTimeOffset now)
    {
        var pending = Random.Draw(Latencies.Pending);
        Transition(InstanceStates.Pending, now + pending, InstanceStates.Running);
        Boot(now, pending);
        StateTransitionReason = "";
        _timeline.Add(new TimelineEntry(TimelineEntry.Start, now, SsmOnlineAt, ChecksAt));
    }

    internal void BeginStop(DateTimeOffset now, bool force, bool stuck)
    {
        var wasStopping = StateAt(now) == InstanceStates.Stopping;
        EndBoot(now);
        if (wasStopping)
        {
            // A second (forced) stop only ever shortens a stop in progress.
            if (force)
            {
                var forced = now + Random.Draw(Latencies.ForcedStopping);
                _transitionEnds = _transitionEnds is { } current && current < forced ? current : forced;
            }
            return;
        }
        var ends = stuck && !force ? (DateTimeOffset?)null : now + Random.Draw(force ? Latencies.ForcedStopping : Latencies.Stopping);
        Transition(InstanceStates.Stopping, ends, InstanceStates.Stopped);
        _timeline.Add(new TimelineEntry(TimelineEntry.Stop, now, ends));
        StateTransitionReason = $"User initiated ({now.UtcDateTime:yyyy-MM-dd HH:mm:ss} GMT)";
    }

    internal void BeginTerminate(DateTimeOffset now)
    {
        EndBoot(now);
        Transition(InstanceStates.ShuttingDown, now + Random.Draw(Latencies.ShuttingDown), InstanceStates.Terminated);
        StateTransitionReason = $"User initiated ({now.UtcDateTime:yyyy-MM-dd HH:mm:ss} GMT)";
    }

    /// <summary>An OS reboot: the instance stays running, the guest boots its newest kernel again.</summary>
    internal void Reboot(DateTimeOffset now)
    {
        EndBoot(now);
        Boot(now, TimeSpan.Zero);
    }

    internal void RecordCommand(string document, DateTimeOffset receivedAt, DateTimeOffset completesAt, string? subject) =>
        _timeline.Add(new TimelineEntry(TimelineEntry.Command(document), receivedAt, completesAt, Subject: subject));

    /// <summary>A move of this instance's root volume (<see cref="TimelineEntry.Attach"/> or <see cref="TimelineEntry.Detach"/>) to or from <paramref name="other"/>.</summary>
    internal void RecordRootMove(string phase, string other, DateTimeOffset at, DateTimeOffset readyAt) =>
        _timeline.Add(new TimelineEntry(phase, at, readyAt, Subject: other));

    private void EndBoot(DateTimeOffset now)
    {
        if (IsOnlineInCurrentBoot(now))
        {
            _registeredInEarlierBoot = true;
        }
        ClearBoot();
    }

    private void ClearBoot()
    {
        BootedAt = null;
        ChecksAt = null;
        SsmOnlineAt = null;
        RunningKernel = null;
    }

    private void Transition(string state, DateTimeOffset? ends, string next)
    {
        _state = state;
        _transitionEnds = ends;
        _nextState = next;
    }
}
