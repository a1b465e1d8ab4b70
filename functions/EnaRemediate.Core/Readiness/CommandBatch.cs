using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Readiness;

/// <summary>How one instance's part of a batched command ended: its invocation, or why there is none.</summary>
public sealed record CommandOutcome(CommandInvocation? Invocation, string? Problem);

/// <summary>Progress while a batched command runs: instances finished out of all sent.</summary>
public sealed record CommandProgress(string Document, int Finished, int Total);

/// <summary>
/// Runs one Command document on many instances within SSM's limits: SendCommand takes at most
/// 50 instance ids, so one command per 50; ListCommandInvocations polls each command's statuses
/// in one call, and GetCommandInvocation fetches an instance's output once it is final. An
/// instance that does not finish before the deadline ends with a problem, not an exception.
/// </summary>
public sealed class CommandBatch(ISsmPort ssm, TimeProvider time)
{
    /// <summary>SendCommand's InstanceIds limit.</summary>
    public const int MaxInstancesPerCommand = 50;

    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    public async Task<IReadOnlyDictionary<string, CommandOutcome>> RunAsync(string document, IReadOnlyList<string> instanceIds,
        IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, IProgress<CommandProgress>? progress, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, CommandOutcome>(StringComparer.Ordinal);
        var pending = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var chunk in instanceIds.Distinct(StringComparer.Ordinal).Chunk(MaxInstancesPerCommand))
        {
            try
            {
                pending[await ssm.SendCommandAsync(document, chunk, parameters, comment, cancellationToken)] = [.. chunk];
            }
            catch (AwsCallException e)
            {
                // One batch SSM refused (an instance went offline since it was listed) does not stop the others.
                foreach (var id in chunk)
                {
                    outcomes[id] = new CommandOutcome(null, $"SendCommand refused the batch: {e.ErrorCode}: {e.ServiceMessage}");
                }
            }
        }
        var total = pending.Values.Sum(v => v.Count);
        var deadline = time.GetUtcNow() + Timeout;
        while (pending.Count > 0 && time.GetUtcNow() < deadline)
        {
            await Task.Delay(PollEvery, time, cancellationToken);
            foreach (var (commandId, ids) in pending.ToList())
            {
                var statuses = await ssm.ListInvocationStatusesAsync(commandId, cancellationToken);
                foreach (var id in ids.Where(id => statuses.TryGetValue(id, out var s) && IsFinal(s)).ToList())
                {
                    if (await ssm.GetCommandInvocationAsync(commandId, id, cancellationToken) is { IsFinal: true } invocation)
                    {
                        outcomes[id] = new CommandOutcome(invocation, invocation.Succeeded ? null : $"{document} ended {invocation.Status}");
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

    private static bool IsFinal(string status) => new CommandInvocation(status, null, "", "").IsFinal;
}
