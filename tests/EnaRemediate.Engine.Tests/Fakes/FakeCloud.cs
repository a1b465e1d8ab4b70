using System.Text.Json;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Engine.Tests.Fakes;

/// <summary>
/// A small in-memory EC2 + SSM with the timings that matter (stop, start, status checks, SSM agent,
/// command run time), driven by a TimeProvider. For fast unit tests of the reconciler and the
/// crash harness; the full remediations run on the wire-level simulator through the real SDK.
/// It records every call made from a state EC2 would refuse, so tests can assert there were none.
/// </summary>
internal sealed class FakeCloud(TimeProvider time) : IEc2Port, ISsmPort
{
    public sealed class Vm
    {
        public required string Id { get; init; }
        public string Type { get; init; } = "m4.large";
        public string State { get; set; } = "running";
        public DateTimeOffset Since { get; set; }
        public bool Ena { get; set; } = true;
        public bool DriverInstalled { get; set; }
        public bool InstallFails { get; set; }
        public bool StuckStopping { get; set; }
        public bool FinalValidationFails { get; set; }
        public Dictionary<string, string> Tags { get; } = new() { ["EnaRemediate:OptIn"] = "true" };
        /// <summary>What the collect document prints instead of the host report (hostile host output).</summary>
        public string? CollectOutput { get; set; }
        /// <summary>What the install document prints instead of its result line.</summary>
        public string? InstallOutput { get; set; }
        /// <summary>ModifyInstanceAttribute answers 200 and changes nothing (seen against another EC2 emulator).</summary>
        public bool IgnoresEnaChanges { get; set; }
        /// <summary>Starts refused with InsufficientInstanceCapacity this many more times.</summary>
        public int NoCapacityStarts { get; set; }
        /// <summary>A start never gets past pending.</summary>
        public bool StuckPending { get; set; }
        /// <summary>The system status check goes impaired once the instance has been started again.</summary>
        public bool SystemImpairedAfterStart { get; set; }
        public int Starts { get; set; }
    }

    /// <summary>The next this many DescribeInstances calls are throttled (RequestLimitExceeded).</summary>
    public int ThrottledDescribes;

    /// <summary>A collect command reports the host as it was when the command ran (captured at send).</summary>
    private sealed record Command(string Id, string Document, string InstanceId, DateTimeOffset SentAt, string? Report, string Comment = "");

    public readonly Dictionary<string, Vm> Vms = new(StringComparer.Ordinal);
    private readonly List<Command> _commands = [];
    public readonly List<string> MutatingCalls = [];
    public readonly List<string> Violations = [];
    public int StartCalls;

    public Vm Add(string id, Action<Vm>? configure = null)
    {
        var vm = new Vm { Id = id, Since = time.GetUtcNow() - TimeSpan.FromHours(1) };
        configure?.Invoke(vm);
        Vms[id] = vm;
        return vm;
    }

    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Transitions settle lazily from the clock: stop takes 20 s, start 15 s.</summary>
    private void Settle(Vm vm)
    {
        if (vm.State == "stopping" && !vm.StuckStopping && Now - vm.Since >= TimeSpan.FromSeconds(20))
        {
            vm.State = "stopped";
            vm.Since = vm.Since + TimeSpan.FromSeconds(20);
        }
        if (vm.State == "pending" && !vm.StuckPending && Now - vm.Since >= TimeSpan.FromSeconds(15))
        {
            vm.State = "running";
            vm.Since = vm.Since + TimeSpan.FromSeconds(15);
        }
    }

    /// <summary>Reachable: running for 30 s with either ENA off or a driver for its kernel.</summary>
    private bool Reachable(Vm vm) => vm.State == "running" && Now - vm.Since >= TimeSpan.FromSeconds(30) && (!vm.Ena || vm.DriverInstalled);

    public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        if (ThrottledDescribes > 0)
        {
            ThrottledDescribes--;
            throw new AwsCallException("DescribeInstances", "RequestLimitExceeded", "Request limit exceeded.", throttled: true);
        }
        var found = instanceIds.Where(Vms.ContainsKey).Select(id => Vms[id]).ToList();
        found.ForEach(Settle);
        return Task.FromResult<IReadOnlyList<Ec2Instance>>(found.Select(vm => new Ec2Instance
        {
            InstanceId = vm.Id, State = vm.State, InstanceType = vm.Type, RootDeviceType = "ebs", VirtualizationType = "hvm",
            EnaSupport = vm.Ena, Tags = new Dictionary<string, string>(vm.Tags),
        }).ToList());
    }

    public Task<IReadOnlyDictionary<string, string>> DescribeTypeEnaSupportAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(instanceTypes.ToDictionary(t => t, t => t.StartsWith("m4.", StringComparison.Ordinal) ? "supported" : "required"));

    public Task<IReadOnlyDictionary<string, Ec2StatusChecks>> DescribeInstanceStatusAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, Ec2StatusChecks>>(instanceIds.Where(Vms.ContainsKey).ToDictionary(id => id, id =>
        {
            var vm = Vms[id];
            Settle(vm);
            if (vm.State != "running")
            {
                return new Ec2StatusChecks("not-applicable", "not-applicable") { State = vm.State };
            }
            var system = vm.SystemImpairedAfterStart && vm.Starts > 0 ? "impaired" : "ok";
            return (Now - vm.Since < TimeSpan.FromSeconds(30) ? new Ec2StatusChecks("initializing", "initializing") : new Ec2StatusChecks(system, Reachable(vm) ? "ok" : "impaired")) with { State = vm.State };
        }));

    public Task StopInstancesAsync(IReadOnlyList<string> instanceIds, bool force, bool dryRun, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            return Task.CompletedTask;
        }
        MutatingCalls.Add($"stop{(force ? "!" : "")} {string.Join(",", instanceIds)}");
        foreach (var vm in instanceIds.Select(id => Vms[id]))
        {
            Settle(vm);
            if (vm.State is "running")
            {
                vm.State = "stopping";
                vm.Since = Now;
            }
            else if (vm.State == "stopping" && force)
            {
                vm.StuckStopping = false;
            }
            else if (vm.State != "stopping")
            {
                Violations.Add($"stop of {vm.Id} while {vm.State}");
            }
        }
        return Task.CompletedTask;
    }

    public Task StartInstancesAsync(IReadOnlyList<string> instanceIds, bool dryRun, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            return Task.CompletedTask;
        }
        StartCalls++;
        MutatingCalls.Add($"start {string.Join(",", instanceIds)}");
        if (instanceIds.Select(id => Vms[id]).FirstOrDefault(v => v.NoCapacityStarts > 0) is { } full)
        {
            full.NoCapacityStarts--;
            throw new AwsCallException("StartInstances", "InsufficientInstanceCapacity", $"We currently do not have sufficient {full.Type} capacity in the Availability Zone you requested.");
        }
        foreach (var vm in instanceIds.Select(id => Vms[id]))
        {
            Settle(vm);
            vm.Starts++;
            if (vm.State != "stopped")
            {
                Violations.Add($"start of {vm.Id} while {vm.State}");
                continue;
            }
            vm.State = "pending";
            vm.Since = Now;
        }
        return Task.CompletedTask;
    }

    public Task SetEnaSupportAsync(string instanceId, bool enabled, bool dryRun, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            return Task.CompletedTask;
        }
        MutatingCalls.Add($"ena={enabled} {instanceId}");
        var vm = Vms[instanceId];
        Settle(vm);
        if (vm.State != "stopped")
        {
            Violations.Add($"enaSupport change of {vm.Id} while {vm.State}");
            throw new AwsCallException("ModifyInstanceAttribute", "IncorrectInstanceState", "The instance is not in the 'stopped' state.");
        }
        if (!vm.IgnoresEnaChanges)
        {
            vm.Ena = enabled;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, string>> DescribePingStatusAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(instanceIds.Where(id => Vms.ContainsKey(id) && Reachable(Vms[id])).ToDictionary(id => id, _ => "Online"));

    public async Task<IReadOnlySet<string>> DescribeOnlineAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken) =>
        (await DescribePingStatusAsync(instanceIds, cancellationToken)).Keys.ToHashSet(StringComparer.Ordinal);

    public Task<string> SendCommandAsync(string documentName, IReadOnlyList<string> instanceIds, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString();
        MutatingCalls.Add($"send {documentName} {string.Join(",", instanceIds)}");
        foreach (var instance in instanceIds)
        {
            if (!Reachable(Vms[instance]))
            {
                Violations.Add($"command to unreachable {instance}");
            }
            _commands.Add(new Command(id, documentName, instance, Now, JsonSerializer.Serialize(Report(Vms[instance]), HostReportJson.Options), comment));
        }
        return Task.FromResult(id);
    }

    /// <summary>Statuses only (no listed result): the engine reads every output with GetCommandInvocation here.</summary>
    public Task<IReadOnlyList<RecentInvocation>> ListInvocationsAsync(string commandId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RecentInvocation>>(_commands.Where(c => c.Id == commandId).Select(c => new RecentInvocation(c.Id, c.InstanceId, StatusOf(c), c.SentAt, c.Comment)).ToList());

    /// <summary>Listings of a document's recent invocations (the adoption check and the fleet status listing).</summary>
    public int RecentInvocationListings { get; private set; }

    /// <summary>How many of the next listings are refused as throttled.</summary>
    public int ThrottleRecentInvocationListings { get; set; }

    public Task<IReadOnlyList<RecentInvocation>> ListRecentInvocationsAsync(string documentName, DateTimeOffset invokedAfter, CancellationToken cancellationToken)
    {
        RecentInvocationListings++;
        if (ThrottleRecentInvocationListings > 0)
        {
            ThrottleRecentInvocationListings--;
            throw new AwsCallException("ListCommandInvocations", "ThrottlingException", "Rate exceeded", throttled: true);
        }
        return Task.FromResult<IReadOnlyList<RecentInvocation>>(_commands.Where(c => c.Document == documentName && c.SentAt >= invokedAfter)
            .Select(c => new RecentInvocation(c.Id, c.InstanceId, StatusOf(c), c.SentAt, c.Comment)).ToList());
    }

    /// <summary>How many commands of a document ran on the instance at the same time as another one of it (the engine must never cause one).</summary>
    public int OverlappingCommands(string instanceId) =>
        _commands.Where(c => c.InstanceId == instanceId)
            .Count(c => _commands.Any(o => o != c && o.InstanceId == instanceId && o.Document == c.Document && o.SentAt >= c.SentAt && o.SentAt < c.SentAt + CommandRunTime && o.Id != c.Id));

    private static readonly TimeSpan CommandRunTime = TimeSpan.FromSeconds(20);

    private string StatusOf(Command c) =>
        Now - c.SentAt < CommandRunTime ? "InProgress" : Vms[c.InstanceId].InstallFails && c.Document.Contains("Install", StringComparison.Ordinal) ? "Failed" : "Success";

    /// <summary>Commands take 20 s; the install's effect lands when it finishes.</summary>
    public Task<CommandInvocation?> GetCommandInvocationAsync(string commandId, string instanceId, CancellationToken cancellationToken)
    {
        var command = _commands.FirstOrDefault(c => c.Id == commandId && c.InstanceId == instanceId);
        if (command is null)
        {
            return Task.FromResult<CommandInvocation?>(null);
        }
        if (Now - command.SentAt < TimeSpan.FromSeconds(20))
        {
            return Task.FromResult<CommandInvocation?>(new CommandInvocation("InProgress", null, "", ""));
        }
        var vm = Vms[instanceId];
        string stdout;
        if (command.Document.Contains("Install", StringComparison.Ordinal))
        {
            vm.DriverInstalled |= !vm.InstallFails;
            stdout = vm.InstallOutput ?? JsonSerializer.Serialize(new InstallResult { Status = vm.InstallFails ? "failed" : "installed", Version = "2.16.1", Kernels = [new InstallKernelResult { Kernel = "6.1.0-57-amd64", Dkms = vm.InstallFails ? "failed" : "installed", Error = vm.InstallFails ? "modpost: undefined symbol" : null }] }, HostReportJson.Options);
        }
        else
        {
            stdout = vm.CollectOutput ?? command.Report!;
        }
        return Task.FromResult<CommandInvocation?>(new CommandInvocation(vm.InstallFails && command.Document.Contains("Install", StringComparison.Ordinal) ? "Failed" : "Success", 0, stdout, ""));
    }

    private static HostReport Report(Vm vm)
    {
        var module = vm.DriverInstalled ? new EnaModuleInfo("/lib/modules/6.1.0-57-amd64/updates/dkms/ena.ko", "2.16.1g", false) : null;
        var bound = vm.Ena && vm.DriverInstalled && !vm.FinalValidationFails;
        return new HostReport
        {
            RunningKernel = "6.1.0-57-amd64",
            Kernels = [new KernelEntry { Kernel = "6.1.0-57-amd64", Running = true, Headers = true, EnaModule = module }],
            Interfaces = [new InterfaceEntry("eth0", bound ? "ena" : "xen_netfront", bound ? "2.16.1g" : null, null, "up")],
        };
    }
}
