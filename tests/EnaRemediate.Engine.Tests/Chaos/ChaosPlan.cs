namespace EnaRemediate.Engine.Tests.Chaos;

/// <summary>
/// Everything one chaos seed draws before it runs: a fleet from a scenario, faults on its
/// instances, hostile host outputs, bursts of server errors, engine crashes, and concurrent
/// triggers and workflows on the same instances. The same seed always draws the same plan, so a
/// failing seed replays exactly.
/// </summary>
public sealed record ChaosPlan(
    int Seed,
    string Scenario,
    int Instances,
    bool Force,
    IReadOnlyList<InstanceChaos> InstanceFaults,
    IReadOnlyDictionary<int, ServerErrorBurst> BurstsAtLook,
    IReadOnlyDictionary<int, int> CrashAtLook,
    int SecondTriggerAtLook,
    double ConcurrentWorkflowShare)
{
    /// <summary>The scenarios a fleet is drawn from: every shape the engine triages differently.</summary>
    public static readonly IReadOnlyList<string> Scenarios =
        ["kernel-update", "kernel-update", "mixed-fleet", "nitro-fleet", "nitro-fleet", "healthy", "instance-store", "nitro-required", "pv-ena", "asg-member", "opsworks-legacy", "pending-kernel-update"];

    public const string CollectDocument = "EnaRemediate-CollectHostReport";
    public const string InstallDocument = "EnaRemediate-InstallDriver";

    /// <summary>Host outputs no real host should print but a broken one can: each must stay one record's problem.</summary>
    public static readonly IReadOnlyList<string> HostileOutputs =
    [
        """{"schema":"enaremediate.host-report/1","kernels":[null]}""",
        """{"interfaces":[null]}""",
        """{"status":"failed","kernels":[null]}""",
        """{"status":"installed","kernels":[{"kernel":null}]}""",
        """{"schema":"enaremediate.host-report/1","kernels":[{"kernel":"6.1.0-9-amd64","enaModule":{"path":""",
        "{\"hostname\":\"\ud800\",\"kernels\":[]}",
        "\u0000\u0001\u00ff garbage \u001b[31m",
        "",
        "{}",
        "[]",
        "null",
        "{\"kernels\":" + new string('[', 5000),
        new string('x', 30_000),
    ];

    /// <summary>How many faults of every kind the plan injects (for the reliability figures).</summary>
    public int FaultCount =>
        InstanceFaults.Sum(f => f.Count) + BurstsAtLook.Count + CrashAtLook.Count + (SecondTriggerAtLook >= 0 ? 1 : 0) + (ConcurrentWorkflowShare > 0 ? 1 : 0);

    public int HostileOutputCount => InstanceFaults.Sum(f => f.Outputs.Count);

    public static ChaosPlan Draw(int seed)
    {
        var random = new Random(seed);
        var scenario = Scenarios[random.Next(Scenarios.Count)];
        var instances = random.Next(1, 6);
        var faults = Enumerable.Range(0, instances).Select(_ => InstanceChaos.Draw(random)).ToList();
        var bursts = new Dictionary<int, ServerErrorBurst>();
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            bursts[random.Next(0, 40)] = ServerErrorBurst.Draw(random);
        }
        var crashes = new Dictionary<int, int>();
        for (var i = random.Next(0, 3); i > 0; i--)
        {
            crashes[random.Next(0, 40)] = random.Next(1, 12);
        }
        var secondTrigger = random.NextDouble() < 0.4 ? random.Next(0, 30) : -1;
        var concurrent = random.NextDouble() < 0.4 ? 0.3 + 0.5 * random.NextDouble() : 0;
        return new ChaosPlan(seed, scenario, instances, Force: random.NextDouble() < 0.15, faults, bursts, crashes, secondTrigger, concurrent);
    }

    public override string ToString() =>
        $"seed {Seed}: {Scenario} x{Instances}{(Force ? " forced" : "")}, {FaultCount} faults ({HostileOutputCount} hostile outputs, {BurstsAtLook.Count} error bursts, {CrashAtLook.Count} crashes, second trigger {(SecondTriggerAtLook >= 0 ? $"at look {SecondTriggerAtLook}" : "none")}, concurrent workflows {ConcurrentWorkflowShare:P0})";
}

/// <summary>The faults drawn for the n-th instance of the fleet.</summary>
public sealed record InstanceChaos(
    bool StuckStopping,
    int InsufficientCapacityStarts,
    bool SsmAgentNeverOnline,
    bool DriverBuildFails,
    bool ValidationFailsAfterEnaEnabled,
    bool SystemCheckImpaired,
    IReadOnlyDictionary<string, string> Outputs)
{
    public int Count =>
        (StuckStopping ? 1 : 0) + (InsufficientCapacityStarts > 0 ? 1 : 0) + (SsmAgentNeverOnline ? 1 : 0) + (DriverBuildFails ? 1 : 0)
        + (ValidationFailsAfterEnaEnabled ? 1 : 0) + (SystemCheckImpaired ? 1 : 0) + Outputs.Count;

    public static InstanceChaos Draw(Random random)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var document in new[] { ChaosPlan.CollectDocument, ChaosPlan.InstallDocument })
        {
            if (random.NextDouble() < 0.12)
            {
                outputs[document] = ChaosPlan.HostileOutputs[random.Next(ChaosPlan.HostileOutputs.Count)];
            }
        }
        return new InstanceChaos(
            StuckStopping: random.NextDouble() < 0.1,
            InsufficientCapacityStarts: random.NextDouble() < 0.15 ? random.Next(1, 4) : 0,
            SsmAgentNeverOnline: random.NextDouble() < 0.05,
            DriverBuildFails: random.NextDouble() < 0.1,
            ValidationFailsAfterEnaEnabled: random.NextDouble() < 0.08,
            SystemCheckImpaired: random.NextDouble() < 0.05,
            outputs);
    }
}

/// <summary>The next <see cref="Count"/> requests (of one action, or of any) answer 503.</summary>
public sealed record ServerErrorBurst(int Count, string? Action)
{
    private static readonly string?[] Actions = [null, "DescribeInstances", "StopInstances", "StartInstances", "ModifyInstanceAttribute", "SendCommand", "GetCommandInvocation", "DescribeInstanceInformation"];

    public static ServerErrorBurst Draw(Random random) => new(random.Next(1, 8), Actions[random.Next(Actions.Length)]);
}
