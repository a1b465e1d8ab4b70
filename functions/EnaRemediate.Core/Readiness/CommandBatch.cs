using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Readiness;

/// <summary>How one instance's part of a batched command ended: its invocation, or why there is none.</summary>
public sealed record CommandOutcome(CommandInvocation? Invocation, string? Problem);

/// <summary>What sending a batched command did: the instances of each command id, and those in a batch SSM refused with why.</summary>
public sealed record SentCommands(IReadOnlyDictionary<string, IReadOnlyList<string>> ByCommand, IReadOnlyDictionary<string, string> Refused);

/// <summary>Progress while a batched command runs: instances finished out of all sent.</summary>
public sealed record CommandProgress(string Document, int Finished, int Total);

/// <summary>
/// Runs one Command document on many instances within SSM's limits: SendCommand takes at most
/// 50 instance ids, so one command per 50; ListCommandInvocations polls each command's statuses
/// in one call, and GetCommandInvocation fetches an instance's output once it is final. An
/// instance that does not finish before the deadline ends with a problem, not an exception.
/// With an <see cref="Output"/> bucket every command writes its full output there too, and an
/// output GetCommandInvocation cut at 24,000 characters is read from the bucket instead.
/// </summary>
public sealed class CommandBatch(ISsmPort ssm, TimeProvider time)
{
    /// <summary>SendCommand's InstanceIds limit.</summary>
    public const int MaxInstancesPerCommand = 50;

    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>Where the commands write their full output; null: GetCommandInvocation's 24,000 characters only.</summary>
    public CommandOutputReader? Output { get; init; }

    /// <param name="step">The document's step name, part of the output's S3 key (<see cref="DocumentSteps"/>).</param>
    public async Task<IReadOnlyDictionary<string, CommandOutcome>> RunAsync(string document, string step, IReadOnlyList<string> instanceIds,
        IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, IProgress<CommandProgress>? progress, CancellationToken cancellationToken)
    {
        var sent = await SendAsync(document, instanceIds, parameters, comment, cancellationToken);
        var outcomes = sent.Refused.ToDictionary(r => r.Key, r => new CommandOutcome(null, r.Value), StringComparer.Ordinal);
        var pending = sent.ByCommand.ToDictionary(c => c.Key, c => c.Value.ToList(), StringComparer.Ordinal);
        var total = pending.Values.Sum(v => v.Count);
        var deadline = time.GetUtcNow() + Timeout;
        while (pending.Count > 0 && time.GetUtcNow() < deadline)
        {
            await Task.Delay(PollEvery, time, cancellationToken);
            foreach (var (commandId, ids) in pending.ToList())
            {
                var listed = (await ssm.ListInvocationsAsync(commandId, cancellationToken)).ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
                foreach (var done in ids.Select(id => listed.GetValueOrDefault(id)).OfType<RecentInvocation>().Where(i => !i.InFlight).ToList())
                {
                    var id = done.InstanceId;
                    if ((done.Result ?? await ssm.GetCommandInvocationAsync(commandId, id, cancellationToken)) is { IsFinal: true } invocation)
                    {
                        var (full, problem) = await CommandOutputReader.FullOutputAsync(Output, invocation, commandId, id, step, cancellationToken);
                        outcomes[id] = new CommandOutcome(full, problem ?? (invocation.Succeeded ? null : $"{document} ended {invocation.Status}"));
                        ids.Remove(id);
                    }
                }
                if (ids.Count == 0)
                {
                    pending.Remove(commandId);
                }
            }
            progress?.Report(new CommandProgress(document, total - pending.Values.Sum(v => v.Count), total));
        }
        foreach (var id in pending.Values.SelectMany(v => v))
        {
            outcomes[id] = new CommandOutcome(null, $"{document} did not finish within {Timeout.TotalMinutes:0} minutes");
        }
        return outcomes;
    }

    /// <summary>
    /// Sends the document, one command per 50 instances, without waiting for it: what a caller that
    /// reads the results later (the scheduled inventory's auto-fix) keeps. A batch SSM refuses (an
    /// instance went offline since it was listed) does not stop the others.
    /// </summary>
    public async Task<SentCommands> SendAsync(string document, IReadOnlyList<string> instanceIds,
        IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken cancellationToken)
    {
        var byCommand = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in instanceIds.Distinct(StringComparer.Ordinal).Chunk(MaxInstancesPerCommand))
        {
            try
            {
                var commandId = Output is { } output
                    ? await output.Port.SendCommandAsync(document, chunk, parameters, comment, output.Bucket, cancellationToken)
                    : await ssm.SendCommandAsync(document, chunk, parameters, comment, cancellationToken);
                byCommand[commandId] = chunk;
            }
            catch (AwsCallException e)
            {
                foreach (var id in chunk)
                {
                    refused[id] = $"SendCommand refused the batch: {e.ErrorCode}: {e.ServiceMessage}";
                }
            }
        }
        return new SentCommands(byCommand, refused);
    }
}
