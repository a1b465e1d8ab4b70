namespace EnaRemediate.Core.Plans;

/// <summary>
/// A call a step wants made. Steps only say what; the reconciler groups equal actions of many
/// records into one AWS call (one StopInstances for every record that wants a stop).
/// </summary>
public abstract record EngineAction
{
    /// <summary>The IAM action, also the key actions are grouped and paced by.</summary>
    public abstract string AwsAction { get; }
}

public sealed record StopAction(bool Force) : EngineAction
{
    public override string AwsAction => "ec2:StopInstances";
}

public sealed record StartAction : EngineAction
{
    public override string AwsAction => "ec2:StartInstances";
}

public sealed record SetEnaSupportAction(bool Enabled) : EngineAction
{
    public override string AwsAction => "ec2:ModifyInstanceAttribute";
}

/// <summary>Runs an SSM Command document; <see cref="MemoKey"/> is where the command id is kept.</summary>
public sealed record SendCommandAction(string DocumentName, IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters, string MemoKey) : EngineAction
{
    public override string AwsAction => "ssm:SendCommand";

    /// <summary>How long the document takes: the first look after sending comes when the fastest run would be done.</summary>
    public Engine.ExpectedLatency Expected { get; init; } = Engine.ExpectedLatencies.ShortCommand;

    /// <summary>
    /// Parameters a copy of the document older than this engine may not declare (the account's
    /// documents deploy from the template, the CLI may be newer): when SendCommand refuses the
    /// parameters, the command is sent once more without these, as that older copy expects.
    /// </summary>
    public IReadOnlySet<string> OptionalParameters { get; init; } = NoneOptional;

    /// <summary>One shared empty set, so that two actions of the same step stay equal records.</summary>
    public static readonly IReadOnlySet<string> NoneOptional = new HashSet<string>();

    /// <summary>Grouping key: the same document with the same parameters can go to many instances in one call.</summary>
    public string GroupKey => DocumentName + "\n" + string.Join("\n", Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + string.Join(",", p.Value)));
}

/// <summary>
/// A call a plan makes through its own port (the image calls of reregister-ami): made for one
/// record at a time, never batched; the memo it returns is kept on the record like a command id.
/// </summary>
public abstract record PlanOwnedAction : EngineAction
{
    public abstract Task<System.Collections.Immutable.ImmutableDictionary<string, string>?> ExecuteAsync(CancellationToken cancellationToken);

    /// <summary>The other paced calls it makes besides <see cref="EngineAction.AwsAction"/> (a move looks before and after it): each takes its token too.</summary>
    public IReadOnlyList<string> AlsoCalls { get; init; } = [];

    /// <summary>The one read of its own (one of <see cref="AlsoCalls"/>, or the call itself) that a look makes for many such calls at once; null for none.</summary>
    public Steps.BatchedRead? Reads { get; init; }
}
