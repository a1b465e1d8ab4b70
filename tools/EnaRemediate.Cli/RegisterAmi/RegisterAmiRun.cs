using System.Text.Json;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Cli.Records;
using EnaRemediate.Core.Plans;
using EnaRemediate.Core.Plans.ReregisterAmi;
using EnaRemediate.Core.Triage;

namespace EnaRemediate.Cli.RegisterAmi;

/// <summary>
/// The work of `register-ami`: the --instance-id path runs the engine's reregister-ami plan (a
/// record, resumable), the --image-id path the same rules without an instance. Both wait for the
/// image to become available by polling, which is fine in a terminal (the engine never sleeps).
/// </summary>
/// <param name="ThenRemediateInto">The bundle bucket of the replacement journey; null when it is not asked for.</param>
internal sealed record RegisterAmiChoices(bool LaunchReplacement, string? ThenRemediateInto, bool DryRun);

internal sealed class RegisterAmiRun(AwsConnection connection, bool json, TextWriter output, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public async Task<int> FromInstanceAsync(string instanceId, RegisterAmiChoices choices, IRemediationStore store, CancellationToken cancellationToken)
    {
        try
        {
            var service = EngineFactory.Create(connection, store, new EngineOptions(), time);
            // Leases are read by other processes on the real clock, whatever clock the engine runs on (--time-scale).
            var lease = new RecordLease(store, TimeProvider.System);
            // Resume an interrupted run (unless another live process drives it); otherwise start, but only ever the AMI plan (see ReregisterAmiRequests).
            var running = choices.DryRun ? null : await store.GetLatestAsync(instanceId, cancellationToken);
            IReadOnlyList<string> ids;
            if (running is { IsFinished: false, Plan: PlanNames.ReregisterAmi })
            {
                var (taken, holder) = await lease.TryTakeAsync(running.RemediationId, RecordLease.Grace, ours: false, cancellationToken);
                if (taken is null)
                {
                    return Report(new Summary { InstanceId = instanceId, RemediationId = running.RemediationId, Outcome = Outcomes.Refused, RefusalCode = RefusalCodes.AlreadyRemediating, Reason = $"{holder ?? "another run"} drives {running.RemediationId}; nothing was done." });
                }
                ids = [running.RemediationId];
            }
            else
            {
                var (eligible, refused) = await ReregisterAmiRequests.SplitAsync(service, [instanceId], cancellationToken);
                if (refused.FirstOrDefault() is { } refusal)
                {
                    return Report(new Summary { InstanceId = instanceId, Outcome = Outcomes.Refused, RefusalCode = refusal.Code, Reason = refusal.Reason });
                }
                var request = ReregisterAmiRequests.Request(eligible, choices.LaunchReplacement, choices.DryRun, "cli", "register-ami", choices.ThenRemediateInto);
                var started = await service.StartAsync(request, cancellationToken);
                if (choices.DryRun)
                {
                    return DryRun(started.Instances.Single(), choices);
                }
                ids = started.RemediationIds;
                foreach (var id in ids)
                {
                    await lease.TryTakeAsync(id, RecordLease.Grace, ours: true, cancellationToken);
                }
            }
            if (ids.Count == 0)
            {
                var latest = await store.GetLatestAsync(instanceId, cancellationToken);
                return Report(new Summary { InstanceId = instanceId, Outcome = latest?.Outcome ?? Outcomes.Refused, Reason = latest?.OutcomeReason });
            }
            await Engine.RemediationLoop.RunAsync(service, ids, time, _ => { }, cancellationToken,
                afterAdvance: async result => { foreach (var id in ids) await lease.TryTakeAsync(id, TimeSpan.FromSeconds(result.WaitSeconds) + RecordLease.Grace, ours: false, CancellationToken.None); });
            return Report(Summary.From((await store.GetAsync(ids[0], cancellationToken))!));
        }
        catch (AwsCallException e)
        {
            return Report(new Summary { InstanceId = instanceId, Outcome = Outcomes.Failed, Reason = e.Message });
        }
    }

    public async Task<int> FromImageAsync(string imageId, CancellationToken cancellationToken)
    {
        try
        {
            var registrar = new AmiRegistrar(new ImageAdapter(EngineFactory.CreateClients(connection).Ec2), time);
            var result = await new ImageOnlyRegistration(registrar).RegisterAsync(imageId, $"cli-{time.GetUtcNow():yyyyMMddTHHmmss}", cancellationToken);
            if (result.Refusal is { } refusal)
            {
                return Report(new Summary { SourceImageId = imageId, Outcome = Outcomes.Refused, RefusalCode = refusal.Code, Reason = refusal.Reason });
            }
            var started = time.GetUtcNow();
            string state;
            while ((state = await registrar.StateAsync(result.ImageId!, cancellationToken)) == "pending" && time.GetUtcNow() - started < AwaitAvailableStep.Timeout)
            {
                await Task.Delay(AwaitAvailableStep.LookEvery, time, cancellationToken);
            }
            var how = result.Reused ? "already existed (reused)" : "registered";
            return Report(new Summary
            {
                SourceImageId = imageId,
                ImageId = result.ImageId,
                Name = result.Name,
                Reused = result.Reused,
                Outcome = state == "available" ? Outcomes.AmiRegistered : Outcomes.Failed,
                Reason = $"ENA-disabled AMI {result.ImageId} ({result.Name}) {how} from {imageId}; it is {state}.",
            });
        }
        catch (AwsCallException e)
        {
            return Report(new Summary { SourceImageId = imageId, Outcome = Outcomes.Failed, Reason = e.Message });
        }
    }

    /// <summary>The registration's calls as the engine planned them, then the journey's; nothing was changed.</summary>
    private int DryRun(StartedInstance started, RegisterAmiChoices choices)
    {
        var calls = started.PlannedCalls.Select(c => c.ToString())
            .Concat(choices.LaunchReplacement && !started.PlannedCalls.Any(c => c.AwsAction == "ec2:RunInstances") ? ["ec2:RunInstances of the ENA-off replacement"] : [])
            .Concat(choices.ThenRemediateInto is { } bucket ? JourneyStep.Outline(bucket) : []).ToList();
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { started.InstanceId, Outcome = started.Outcome ?? Outcomes.DryRun, started.RefusalCode, started.Reason, Calls = calls }, Json));
        }
        else
        {
            output.WriteLine($"{started.Outcome ?? Outcomes.DryRun}: {started.InstanceId}: {started.Reason ?? "nothing changed"}");
            foreach (var call in calls)
            {
                output.WriteLine($"  - {call}");
            }
        }
        return started.Outcome is null or Outcomes.DryRun ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private int Report(Summary summary)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(summary, Json));
        }
        else
        {
            // The reason already carries the run-instances command line and the ephemeral-data warning.
            output.WriteLine($"{summary.Outcome}: {summary.Reason}");
        }
        return summary.Outcome == Outcomes.AmiRegistered ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>What register-ami prints (text) or writes as JSON.</summary>
    private sealed record Summary
    {
        public string? InstanceId { get; init; }
        public string? RemediationId { get; init; }
        public string? SourceImageId { get; init; }
        public required string Outcome { get; init; }
        public string? RefusalCode { get; init; }
        public string? Reason { get; init; }
        public string? ImageId { get; init; }
        public string? Name { get; init; }
        public bool Reused { get; init; }
        public string? ReplacementInstanceId { get; init; }
        public ReplacementParameters? RunInstances { get; init; }
        public string? EnaImageId { get; init; }
        public string? BundleManifest { get; init; }
        public string? EnaReplacementInstanceId { get; init; }
        /// <summary>What is left running and registered (the replacement journey, or a failure of it).</summary>
        public string? Remains { get; init; }

        public static Summary From(RemediationRecord r)
        {
            string? Memo(string key) => r.Memo.TryGetValue(key, out var v) ? v : null;
            var source = Memo(AmiMemo.Source) is { } s ? JsonSerializer.Deserialize<Ec2Image>(s, Json) : null;
            return new()
            {
                InstanceId = r.InstanceId,
                RemediationId = r.RemediationId,
                SourceImageId = source?.ImageId ?? Memo(AmiMemo.SourceMissing),
                Outcome = r.Outcome ?? Outcomes.Failed,
                RefusalCode = Memo(AmiMemo.RefusalCode),
                Reason = r.OutcomeReason,
                ImageId = Memo(AmiMemo.NewImageId),
                Name = Memo(AmiMemo.IntendedName),
                Reused = Memo(AmiMemo.Reused) == "true",
                ReplacementInstanceId = Memo(AmiMemo.ReplacementInstanceId),
                RunInstances = Memo(AmiMemo.RunInstances) is { } run ? JsonSerializer.Deserialize<ReplacementParameters>(run, Json) : null,
                EnaImageId = Memo(AmiMemo.EnaImageId),
                BundleManifest = Memo(AmiMemo.BundleManifest),
                EnaReplacementInstanceId = Memo(AmiMemo.EnaReplacementInstanceId),
                Remains = Memo(MemoKeys.Remains),
            };
        }
    }
}
