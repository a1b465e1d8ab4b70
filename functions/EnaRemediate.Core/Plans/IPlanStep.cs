namespace EnaRemediate.Core.Plans;

/// <summary>
/// One step of a plan, shaped like a Cloud Custodian action: a name, the AWS permissions it needs
/// (checked against the ports' AwsAction attributes, so IAM follows the code), the instance states
/// it may act from (so a repeat after a crash is harmless), and a decision made from observation
/// only. The reconciler makes the calls, in batches across records.
/// </summary>
public interface IPlanStep
{
    string Name { get; }

    /// <summary>IAM actions this step's calls need.</summary>
    IReadOnlyList<string> Permissions { get; }

    /// <summary>Instance states this step may make a call from; any other state makes it wait instead.</summary>
    IReadOnlySet<string> ValidOriginStates { get; }

    /// <summary>The call this step makes on the happy path, listed (and EC2-DryRun-checked) by a dry run; null when it only watches.</summary>
    EngineAction? PlannedAction(Engine.EngineOptions options);

    StepDecision Decide(StepContext context);

    /// <summary>
    /// Whether the step, where <paramref name="record"/> is in it, reads the status checks or the
    /// SSM agent's ping; a step that only needs the EC2 description (state, attributes) or is only
    /// waiting for its command's result says false, and a look at a fleet of such records skips
    /// DescribeInstanceStatus and DescribeInstanceInformation for them.
    /// </summary>
    bool ObservesHealth(Engine.RemediationRecord record) => true;

    /// <summary>
    /// Whether the SSM agent's ping matters to the step, where <paramref name="record"/> is in it,
    /// only once both status checks are ok (it waits for the checks, then needs the agent Online
    /// too): a look reads such a record's ping only when its checks are ok, not on every look while
    /// the checks settle (a minute or three of DescribeInstanceInformation pages for a fleet).
    /// </summary>
    bool ObservesPingOnlyWhenChecksOk(Engine.RemediationRecord record) => false;

    /// <summary>
    /// Whether the step, where <paramref name="record"/> has been for <paramref name="inStep"/>,
    /// decides from the agent's ping only whether it is Online: a look then asks SSM for the Online
    /// agents only (a fleet's waits are mostly agents not yet back, each a page entry otherwise). A
    /// step whose failure names the ping says false in the look its time runs out, so that the
    /// failure says ConnectionLost or "not registered" (an agent that never registered: no
    /// instance profile) rather than just "not Online".
    /// </summary>
    bool ObservesOnlyWhetherOnline(Engine.RemediationRecord record, TimeSpan inStep, Engine.EngineOptions options) => false;

    /// <summary>
    /// Whether the step, where <paramref name="record"/> is in it, reads the EC2 description at all;
    /// a step only waiting for its command's result says false, and a look skips DescribeInstances
    /// for it until the command is final (the step the record moves on to then gets the look it needs).
    /// </summary>
    bool ObservesInstance(Engine.RemediationRecord record) => true;

    /// <summary>
    /// Whether the step, where <paramref name="record"/> is in it and it reads the instance, reads
    /// more of it than its state (attributes, type, tags, Auto Scaling membership); a step that
    /// decides from the state (and the health it observes) says false, and a look gives it the
    /// state from DescribeInstanceStatus instead of DescribeInstances. A record that moves on in a
    /// look to a step that reads more is described in the same look, before it decides there.
    /// </summary>
    bool ObservesAttributes(Engine.RemediationRecord record) => true;

    /// <summary>
    /// The command the step, where <paramref name="record"/> is in it, waits on; null for none. The
    /// reconciler fetches its invocation with everyone else's (one listing for a fleet) and hands it
    /// to <see cref="Decide"/> as <see cref="StepContext.Invocation"/>. By default the command the
    /// engine sent for the step, on the instance the record acts on.
    /// </summary>
    AwaitedCommand? AwaitsCommand(Engine.RemediationRecord record) => AwaitedCommand.SentFor(record);
}

/// <summary>A command a record waits on: its id, the instance it runs on, and its document (null: unknown, then it is listed by id).</summary>
public sealed record AwaitedCommand(string CommandId, string InstanceId, string? Document)
{
    /// <summary>The command the engine's SendCommand made for the record's current step, if any.</summary>
    public static AwaitedCommand? SentFor(Engine.RemediationRecord record) =>
        record.Memo.TryGetValue(MemoKeys.CommandId(record.Step), out var id)
            ? new AwaitedCommand(id, record.ActingOn, record.Memo.GetValueOrDefault(MemoKeys.CommandDocument(record.Step)))
            : null;
}
