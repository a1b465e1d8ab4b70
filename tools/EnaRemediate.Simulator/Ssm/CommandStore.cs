using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>One SendCommand: the document, its parameters and one invocation per instance.</summary>
internal sealed class CommandRecord
{
    public required string CommandId { get; init; }
    public required SimulatedDocument Document { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public required int TimeoutSeconds { get; init; }
    public string Comment { get; init; } = "";
    /// <summary>OutputS3BucketName / OutputS3KeyPrefix: where the agent writes each invocation's full output.</summary>
    public string? OutputBucket { get; init; }
    public string OutputPrefix { get; init; } = "";
    public List<InvocationRecord> Invocations { get; } = [];
    /// <summary>Until then SSM does not know the invocations yet: Get answers InvocationDoesNotExist, List leaves them out.</summary>
    public DateTimeOffset VisibleAt { get; set; }
}

/// <summary>
/// One command on one instance. Until it ends, its status is read from the clock (Pending until
/// the agent picks it up, then InProgress); when the world settles past <see cref="CompletesAt"/>
/// the document runs against the guest as it was at that moment and the result is frozen.
/// </summary>
internal sealed class InvocationRecord
{
    public required CommandRecord Command { get; init; }
    public required string InstanceId { get; init; }
    /// <summary>When the agent picked it up; null while the instance is not online to receive it.</summary>
    public DateTimeOffset? StartsAt { get; set; }
    public DateTimeOffset? CompletesAt { get; set; }
    public DateTimeOffset? EndedAt { get; private set; }
    public string? FinalStatus { get; private set; }
    public string? FinalDetails { get; private set; }
    public int ResponseCode { get; private set; } = -1;
    public StoredText Stdout { get; private set; } = StoredText.Empty;
    public StoredText Stderr { get; private set; } = StoredText.Empty;

    public bool IsFinished => FinalStatus is not null;

    public (string Status, string Details) StatusAt(DateTimeOffset now)
    {
        if (FinalStatus is not null)
        {
            return (FinalStatus, FinalDetails!);
        }
        return StartsAt is { } starts && now >= starts ? ("InProgress", "InProgress") : ("Pending", "Pending");
    }

    public void Finish(DateTimeOffset at, string status, string details, int code, string stdout, string stderr)
    {
        EndedAt = at;
        FinalStatus = status;
        FinalDetails = details;
        ResponseCode = code;
        Stdout = new StoredText(stdout);
        Stderr = new StoredText(stderr);
    }
}

/// <summary>
/// SSM's command history, settled lazily: every request first runs what finished before "now".
/// Indexed so that no request scans the whole history: commands by id, invocations by instance,
/// the undelivered ones in a list of their own and the delivered ones in a queue by end time.
/// </summary>
internal sealed class CommandStore(SimulatedWorld world)
{
    private readonly List<CommandRecord> _commands = [];
    private readonly Dictionary<string, CommandRecord> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<InvocationRecord>> _byInstance = new(StringComparer.Ordinal);
    private readonly PriorityQueue<InvocationRecord, (DateTimeOffset End, long Order)> _due = new();
    // SSM's own eventual consistency: how long a new command's invocations stay unknown. Its own
    // random source, so that the instances' timelines do not depend on how many commands were sent.
    private readonly Random _listing = new(world.Seed);
    private List<InvocationRecord> _undelivered = [];
    private long _order;

    /// <summary>Every command, oldest first.</summary>
    public IReadOnlyList<CommandRecord> Commands => _commands;

    public IEnumerable<InvocationRecord> Invocations => _commands.SelectMany(c => c.Invocations);

    /// <summary>
    /// The invocations of the commands requested at or after <paramref name="since"/>: the
    /// commands are kept in the order they were sent (under the world lock, so by request time),
    /// and a listing of recent invocations walks back only as far as its window.
    /// </summary>
    public IEnumerable<InvocationRecord> InvocationsSince(DateTimeOffset since)
    {
        var first = _commands.Count;
        while (first > 0 && _commands[first - 1].RequestedAt >= since)
        {
            first--;
        }
        for (var i = first; i < _commands.Count; i++)
        {
            foreach (var invocation in _commands[i].Invocations)
            {
                yield return invocation;
            }
        }
    }

    public CommandRecord? Find(string commandId) => _byId.GetValueOrDefault(commandId);

    /// <summary>The invocations that ran or run on one instance, oldest command first.</summary>
    public IReadOnlyList<InvocationRecord> InvocationsOn(string instanceId) =>
        _byInstance.TryGetValue(instanceId, out var list) ? list : [];

    /// <summary>Records a new command (its invocations already built) and hands it to the agents that are online.</summary>
    public void Add(CommandRecord command, DateTimeOffset now)
    {
        command.VisibleAt = command.RequestedAt + _listing.Draw(Latencies.InvocationListing);
        _commands.Add(command);
        _byId[command.CommandId] = command;
        foreach (var invocation in command.Invocations)
        {
            if (!_byInstance.TryGetValue(invocation.InstanceId, out var list))
            {
                list = [];
                _byInstance[invocation.InstanceId] = list;
            }
            list.Add(invocation);
            TryDeliver(invocation, now);
            if (!invocation.IsFinished && invocation.StartsAt is null)
            {
                _undelivered.Add(invocation);
            }
        }
    }

    /// <summary>
    /// Delivers commands to instances that came online, and completes every invocation whose end
    /// is at or before <paramref name="now"/>, in the order they end, each against the world as it
    /// was then (no mutation happened in between: every mutation settles first).
    /// </summary>
    public void Settle(DateTimeOffset now)
    {
        if (_undelivered.Count > 0)
        {
            var still = new List<InvocationRecord>();
            foreach (var invocation in _undelivered.Where(i => !i.IsFinished))
            {
                TryDeliver(invocation, now);
                if (!invocation.IsFinished && invocation.StartsAt is null)
                {
                    still.Add(invocation);
                }
            }
            _undelivered = still;
        }
        while (_due.TryPeek(out var invocation, out var due) && due.End <= now)
        {
            _due.Dequeue();
            if (!invocation.IsFinished)
            {
                Complete(invocation, due.End);
            }
        }
    }

    public void Cancel(InvocationRecord invocation, DateTimeOffset now)
    {
        if (!invocation.IsFinished)
        {
            invocation.Finish(now, "Cancelled", "Cancelled", -1, "", "");
        }
    }

    /// <summary>Hands the command to the agent if the instance is online (at the later of sending and coming online).</summary>
    private void TryDeliver(InvocationRecord invocation, DateTimeOffset now)
    {
        var instance = world.FindInstance(invocation.InstanceId)!;
        var deadline = invocation.Command.RequestedAt + TimeSpan.FromSeconds(invocation.Command.TimeoutSeconds);
        if (instance.PingStatusAt(now) == "Online" && instance.SsmOnlineAt is { } online)
        {
            var receivedAt = online > invocation.Command.RequestedAt ? online : invocation.Command.RequestedAt;
            if (receivedAt <= deadline)
            {
                invocation.StartsAt = receivedAt + instance.Random.Draw(Latencies.CommandPickup);
                invocation.CompletesAt = invocation.StartsAt + invocation.Command.Document.Duration(instance.Random);
                // Ties end in the order they were delivered, as the history's order had them.
                _due.Enqueue(invocation, (invocation.CompletesAt.Value, _order++));
                instance.RecordCommand(invocation.Command.Document.Name, receivedAt, invocation.CompletesAt.Value,
                    invocation.Command.Document.Subject(new DocumentRun(world, instance, invocation.Command.Parameters, receivedAt)));
                return;
            }
        }
        if (now >= deadline)
        {
            invocation.Finish(deadline, "TimedOut", "Delivery Timed Out", -1, "", "");
        }
    }
    private void Complete(InvocationRecord invocation, DateTimeOffset at)
    {
        var instance = world.FindInstance(invocation.InstanceId)!;
        if (!instance.IsReachable(at))
        {
            // The instance went away mid-run (stopped, rebooted into a broken kernel): the agent never reports back.
            invocation.Finish(at, "Failed", "Failed", -1, "", "The SSM agent stopped reporting before the command finished.");
            return;
        }
        var result = invocation.Command.Document.Run(new DocumentRun(world, instance, invocation.Command.Parameters, at));
        var faults = world.Faults.For(instance.InstanceId);
        if (faults.OutputOverrides.TryGetValue(invocation.Command.Document.Name, out var hostile))
        {
            result = result with { Stdout = hostile };
        }
        if (faults.ErrorOverrides.TryGetValue(invocation.Command.Document.Name, out var chatty))
        {
            result = result with { Stderr = chatty };
        }
        invocation.Finish(at, result.ExitCode == 0 ? "Success" : "Failed", result.ExitCode == 0 ? "Success" : "Failed",
            result.ExitCode, result.Stdout, result.Stderr);
        UploadOutput(invocation, at);
    }

    /// <summary>
    /// The agent's upload of the full stdout and stderr, schema 2.2's layout (docs/inventory.md):
    /// PREFIX/COMMAND_ID/INSTANCE_ID/awsrunShellScript/STEP/stdout (and stderr). Into a bucket that
    /// does not exist nothing is written, and the command's status does not change.
    /// </summary>
    private void UploadOutput(InvocationRecord invocation, DateTimeOffset at)
    {
        var command = invocation.Command;
        if (command.OutputBucket is not { } bucket)
        {
            return;
        }
        var prefix = command.OutputPrefix.Trim('/') is { Length: > 0 } p ? p + "/" : "";
        // A schema 1.2 document (AWS-RunShellScript) has no step names: its plugin's folder is 0.awsrunShellScript.
        var plugin = command.Document.PluginName;
        var step = plugin.Contains(':', StringComparison.Ordinal) ? "0." + plugin.Replace(":", "", StringComparison.Ordinal) : plugin;
        var folder = $"{prefix}{command.CommandId}/{invocation.InstanceId}/awsrunShellScript/{step}/";
        world.Objects.Put(bucket, folder + "stdout", invocation.Stdout.Utf8.ToArray(), at);
        if (invocation.Stderr.Length > 0)
        {
            world.Objects.Put(bucket, folder + "stderr", invocation.Stderr.Utf8.ToArray(), at);
        }
    }
}
