using System.Collections.Immutable;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// Idempotent volume moves: each looks first and acts only when the volume is where the move
/// starts from, so a repeat after a crash (the call made, its result lost) is harmless; each
/// returns, as an <see cref="Observation"/>, what it saw, or the move EBS accepted (attaching,
/// detaching): the step's next look, paced as a read, sees where it got.
/// </summary>
public sealed class VolumeMover(INitroPort nitro, TimeProvider time)
{
    public const string Observed = "volume.observed";

    public INitroPort Port => nitro;
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Detach the volume when it is attached to <paramref name="instanceId"/>.</summary>
    public async Task<ImmutableDictionary<string, string>> DetachAsync(string volumeId, string instanceId, CancellationToken cancellationToken)
    {
        var volume = await nitro.DescribeVolumeAsync(volumeId, cancellationToken);
        if (volume is { AttachedTo: var on, AttachmentState: "attached" or "attaching" } && on == instanceId)
        {
            await nitro.DetachVolumeAsync(volumeId, instanceId, cancellationToken);
            volume = volume with { AttachmentState = "detaching" };
        }
        return Observation.Of(Observed, Observation.Volume(volume), Now);
    }

    /// <summary>A move looks before it, to act only from where it starts.</summary>
    public static readonly IReadOnlyList<string> LooksPerMove = ["ec2:DescribeVolumes"];

    /// <summary>Only looks: a move already under way.</summary>
    public async Task<ImmutableDictionary<string, string>> LookAsync(string volumeId, CancellationToken cancellationToken) =>
        Observation.Of(Observed, Observation.Volume(await nitro.DescribeVolumeAsync(volumeId, cancellationToken)), Now);

    /// <summary>Attach the volume to <paramref name="instanceId"/> at <paramref name="device"/> when it is available.</summary>
    public async Task<ImmutableDictionary<string, string>> AttachAsync(string volumeId, string instanceId, string device, CancellationToken cancellationToken)
    {
        var volume = await nitro.DescribeVolumeAsync(volumeId, cancellationToken);
        if (volume is { IsAvailable: true })
        {
            await nitro.AttachVolumeAsync(volumeId, instanceId, device, cancellationToken);
            volume = volume with { State = "in-use", AttachedTo = instanceId, Device = device, AttachmentState = "attaching" };
        }
        return Observation.Of(Observed, Observation.Volume(volume), Now);
    }
}
