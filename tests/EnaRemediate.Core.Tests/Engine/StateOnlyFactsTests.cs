using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Facts;

namespace EnaRemediate.Core.Tests.Engine;

/// <summary>
/// Issue 13: an instance whose step decides from its state alone gets the state from
/// DescribeInstanceStatus (a few hundred bytes) instead of DescribeInstances (a few kilobytes);
/// an id EC2 does not know, or a status answer without the state, falls back to the description,
/// so a state-only look never takes a live instance for a missing one. And the final health wait's
/// ping is read only in the look whose checks pass, and a wait for the agent asks SSM only which
/// agents are Online.
/// </summary>
public sealed class StateOnlyFactsTests
{
    private readonly Ec2Fleet _ec2 = new()
    {
        Instances =
        {
            ["i-0000000000000000a"] = "stopping",
            ["i-0000000000000000b"] = "running",
            ["i-0000000000000000c"] = "stopped",
        },
    };

    private static readonly HashSet<string> NoHealth = new(StringComparer.Ordinal);

    [Fact]
    public async Task StateOnlyInstancesAreReadByTheirStatusAndTheRestAreDescribed()
    {
        var facts = await Gatherer().GatherAsync(["i-0000000000000000a", "i-0000000000000000b", "i-0000000000000000c"], CancellationToken.None,
            healthOf: NoHealth, describe: new HashSet<string>(["i-0000000000000000c"], StringComparer.Ordinal));

        Assert.Equal([["i-0000000000000000c"]], _ec2.Described);
        Assert.Equal([["i-0000000000000000a", "i-0000000000000000b"]], _ec2.StatusRead.Select(ids => ids.Order().ToList()));
        Assert.Equal("stopping", facts["i-0000000000000000a"].State);
        Assert.True(facts["i-0000000000000000a"].Found);
        Assert.False(facts["i-0000000000000000a"].Described);
        Assert.Null(facts["i-0000000000000000a"].Instance);
        Assert.True(facts["i-0000000000000000c"].Described);
        Assert.Equal("stopped", facts["i-0000000000000000c"].State);
    }

    [Fact]
    public async Task AnUnknownStateOnlyIdIsFoundMissingByTheDescriptionAndTheOthersKeepTheirState()
    {
        var facts = await Gatherer().GatherAsync(["i-0000000000000000a", "i-00000000000000099"], CancellationToken.None,
            healthOf: NoHealth, describe: NoHealth);

        // The status read refused the whole call for the unknown id: both were described instead.
        Assert.Equal([["i-0000000000000000a", "i-00000000000000099"]], _ec2.Described.Select(ids => ids.Order().ToList()));
        Assert.Equal("stopping", facts["i-0000000000000000a"].State);
        Assert.False(facts["i-00000000000000099"].Found);
        Assert.Equal("not-found", facts["i-00000000000000099"].State);
    }

    [Fact]
    public async Task AStatusAnswerWithoutTheStateIsMadeGoodByTheDescription()
    {
        _ec2.StatusWithoutState = true;
        var facts = await Gatherer().GatherAsync(["i-0000000000000000b"], CancellationToken.None, healthOf: NoHealth, describe: NoHealth);

        Assert.Equal([["i-0000000000000000b"]], _ec2.Described);
        Assert.True(facts["i-0000000000000000b"].Described);
        Assert.Equal("running", facts["i-0000000000000000b"].State);
    }

    [Fact]
    public async Task AStateOnlyInstanceWhoseHealthIsWantedIsPingedWhenRunning()
    {
        var facts = await Gatherer().GatherAsync(["i-0000000000000000a", "i-0000000000000000b"], CancellationToken.None,
            healthOf: new HashSet<string>(["i-0000000000000000a", "i-0000000000000000b"], StringComparer.Ordinal), describe: NoHealth);

        Assert.Empty(_ec2.Described);
        Assert.Single(_ec2.StatusRead);
        Assert.Equal("Online", facts["i-0000000000000000b"].SsmPingStatus);
        Assert.True(facts["i-0000000000000000b"].IsHealthyAndManaged);
        // Stopping: no ping asked for.
        Assert.Null(facts["i-0000000000000000a"].SsmPingStatus);
    }

    [Fact]
    public async Task APingWantedOnlyWithTheChecksOkIsReadOnlyForTheInstanceWhoseChecksPassed()
    {
        _ec2.Instances["i-0000000000000000d"] = "running";
        _ec2.ChecksInitializing.Add("i-0000000000000000d");
        var all = new HashSet<string>(["i-0000000000000000b", "i-0000000000000000d"], StringComparer.Ordinal);

        var facts = await Gatherer().GatherAsync([.. all], CancellationToken.None, healthOf: all, describe: NoHealth, pingWhenChecksOk: all);

        Assert.Equal([["i-0000000000000000b"]], _ssm.Asked);
        Assert.True(facts["i-0000000000000000b"].IsHealthyAndManaged);
        Assert.False(facts["i-0000000000000000b"].PingDeferred);
        Assert.Null(facts["i-0000000000000000d"].SsmPingStatus);
        Assert.True(facts["i-0000000000000000d"].PingDeferred);
        Assert.Equal("initializing", facts["i-0000000000000000d"].Status!.InstanceStatus);
    }

    [Fact]
    public async Task NoPingIsAskedWhenNoCheckPassed()
    {
        _ec2.ChecksInitializing.Add("i-0000000000000000b");
        var only = new HashSet<string>(["i-0000000000000000b"], StringComparer.Ordinal);

        var facts = await Gatherer().GatherAsync([.. only], CancellationToken.None, healthOf: only, describe: NoHealth, pingWhenChecksOk: only);

        Assert.Empty(_ssm.Asked);
        Assert.True(facts["i-0000000000000000b"].PingDeferred);
        Assert.False(facts["i-0000000000000000b"].IsHealthyAndManaged);
    }

    [Fact]
    public async Task AWaitForTheAgentAsksOnlyWhichAreOnlineAndCallsTheRestNotOnline()
    {
        _ec2.Instances["i-0000000000000000d"] = "running";
        _ssm.ConnectionLost.Add("i-0000000000000000d");
        var both = new HashSet<string>(["i-0000000000000000b", "i-0000000000000000d"], StringComparer.Ordinal);

        var facts = await Gatherer().GatherAsync([.. both], CancellationToken.None, healthOf: both, describe: NoHealth, pingOnlineOnly: both);

        Assert.Empty(_ssm.Asked);
        Assert.Equal([["i-0000000000000000b", "i-0000000000000000d"]], _ssm.OnlineAsked.Select(ids => ids.Order().ToList()));
        Assert.True(facts["i-0000000000000000b"].IsManaged);
        Assert.Null(facts["i-0000000000000000d"].SsmPingStatus);
        Assert.True(facts["i-0000000000000000d"].PingOnlineOnly);
        Assert.Equal("not online yet", facts["i-0000000000000000d"].PingText);
    }

    [Fact]
    public async Task AnOnlineOnlyIdRidesInTheWholeReadsLastPageAndPaysItsOwnCallOnlyWhenThePageIsFull()
    {
        _ec2.Instances["i-0000000000000000d"] = "running";
        _ssm.ConnectionLost.Add("i-0000000000000000d");
        var onlineOnly = new HashSet<string>(["i-0000000000000000d"], StringComparer.Ordinal);
        var one = new HashSet<string>(["i-0000000000000000b", "i-0000000000000000d"], StringComparer.Ordinal);

        var shared = await Gatherer().GatherAsync([.. one], CancellationToken.None, healthOf: one, describe: NoHealth, pingOnlineOnly: onlineOnly);

        // Room in the whole read's page: d is read whole, for nothing, and named exactly.
        Assert.Equal([["i-0000000000000000b", "i-0000000000000000d"]], _ssm.Asked);
        Assert.Empty(_ssm.OnlineAsked);
        Assert.Equal("ConnectionLost", shared["i-0000000000000000d"].SsmPingStatus);
        Assert.False(shared["i-0000000000000000d"].PingOnlineOnly);

        _ssm.Asked.Clear();
        var fullPage = Enumerable.Range(0, 50).Select(n => $"i-1{n:x16}").ToList();
        foreach (var id in fullPage)
        {
            _ec2.Instances[id] = "running";
        }
        var all = new HashSet<string>([.. fullPage, "i-0000000000000000d"], StringComparer.Ordinal);

        var apart = await Gatherer().GatherAsync([.. all], CancellationToken.None, healthOf: all, describe: NoHealth, pingOnlineOnly: onlineOnly);

        Assert.Equal([fullPage.Order().ToList()], _ssm.Asked.Select(ids => ids.Order().ToList()));
        Assert.Equal([["i-0000000000000000d"]], _ssm.OnlineAsked);
        Assert.True(apart["i-0000000000000000d"].PingOnlineOnly);
        Assert.False(apart["i-0000000000000000d"].IsManaged);
    }

    private readonly PingAll _ssm = new();

    private FactsGatherer Gatherer() => new(_ec2, _ssm);

    /// <summary>EC2 as far as a look reads it: instances by id and state, refusing whole calls for unknown ids as EC2 does.</summary>
    private sealed class Ec2Fleet : IEc2Port
    {
        public Dictionary<string, string> Instances { get; } = new(StringComparer.Ordinal);
        public List<IReadOnlyList<string>> Described { get; } = [];
        public List<IReadOnlyList<string>> StatusRead { get; } = [];
        public bool StatusWithoutState { get; set; }
        public HashSet<string> ChecksInitializing { get; } = new(StringComparer.Ordinal);

        public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
        {
            Described.Add(instanceIds.ToList());
            // The port's contract (Ec2Adapter drops the ids EC2 names unknown): the known ones, the rest absent.
            return Task.FromResult<IReadOnlyList<Ec2Instance>>(instanceIds.Where(Instances.ContainsKey)
                .Select(id => new Ec2Instance { InstanceId = id, State = Instances[id], InstanceType = "m4.large" }).ToList());
        }

        public Task<IReadOnlyDictionary<string, Ec2StatusChecks>> DescribeInstanceStatusAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
        {
            StatusRead.Add(instanceIds.ToList());
            if (instanceIds.FirstOrDefault(id => !Instances.ContainsKey(id)) is { } unknown)
            {
                throw new AwsCallException("DescribeInstanceStatus", "InvalidInstanceID.NotFound", $"The instance ID '{unknown}' does not exist");
            }
            return Task.FromResult<IReadOnlyDictionary<string, Ec2StatusChecks>>(instanceIds.ToDictionary(id => id, id =>
                (Instances[id] != "running" ? new Ec2StatusChecks("not-applicable", "not-applicable")
                    : ChecksInitializing.Contains(id) ? new Ec2StatusChecks("initializing", "initializing") : new Ec2StatusChecks("ok", "ok"))
                    with { State = StatusWithoutState ? null : Instances[id] }));
        }

        public Task<IReadOnlyDictionary<string, string>> DescribeTypeEnaSupportAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(instanceTypes.ToDictionary(t => t, _ => "supported"));

        public Task StopInstancesAsync(IReadOnlyList<string> instanceIds, bool force, bool dryRun, CancellationToken cancellationToken) => throw Mutated();
        public Task StartInstancesAsync(IReadOnlyList<string> instanceIds, bool dryRun, CancellationToken cancellationToken) => throw Mutated();
        public Task SetEnaSupportAsync(string instanceId, bool enabled, bool dryRun, CancellationToken cancellationToken) => throw Mutated();

        private static InvalidOperationException Mutated() => new("a look only reads");
    }

    /// <summary>Every asked instance's agent is Online, but those whose connection is lost.</summary>
    private sealed class PingAll : ISsmPort
    {
        public List<IReadOnlyList<string>> Asked { get; } = [];
        public List<IReadOnlyList<string>> OnlineAsked { get; } = [];
        public HashSet<string> ConnectionLost { get; } = new(StringComparer.Ordinal);

        public Task<IReadOnlyDictionary<string, string>> DescribePingStatusAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
        {
            Asked.Add(instanceIds.ToList());
            return Task.FromResult<IReadOnlyDictionary<string, string>>(instanceIds.ToDictionary(id => id, id => ConnectionLost.Contains(id) ? "ConnectionLost" : "Online"));
        }

        public Task<IReadOnlySet<string>> DescribeOnlineAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
        {
            OnlineAsked.Add(instanceIds.ToList());
            return Task.FromResult<IReadOnlySet<string>>(instanceIds.Where(id => !ConnectionLost.Contains(id)).ToHashSet(StringComparer.Ordinal));
        }

        public Task<string> SendCommandAsync(string documentName, IReadOnlyList<string> instanceIds, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken cancellationToken) => throw NotRead();
        public Task<IReadOnlyList<RecentInvocation>> ListInvocationsAsync(string commandId, CancellationToken cancellationToken) => throw NotRead();
        public Task<IReadOnlyList<RecentInvocation>> ListRecentInvocationsAsync(string documentName, DateTimeOffset invokedAfter, CancellationToken cancellationToken) => throw NotRead();
        public Task<CommandInvocation?> GetCommandInvocationAsync(string commandId, string instanceId, CancellationToken cancellationToken) => throw NotRead();

        private static InvalidOperationException NotRead() => new("a look reads only the ping");
    }
}
