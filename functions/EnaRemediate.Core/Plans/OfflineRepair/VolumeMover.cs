using System.Collections.Immutable;
using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Core.Plans.Steps;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// Idempotent volume moves: each looks first and acts only when the volume is where the move
/// starts from, so a repeat after a crash (the call made, its result lost) is harmless; each
/// returns, as an <see cref="Observation"/>, what it saw, or the move EBS accepted (attaching,
/// detaching): the step's next look, paced as a read, sees where it got. The look before a move
/// is <see cref="Volumes"/>: one DescribeVolumes for all the moves and looks of a fleet's look.
/// </summary>
public sealed class VolumeMover(INitroPort nitro, TimeProvider time)
{
    public const string Observed = "volume.observed";

    /// <summary>The volumes a look reads at once for its moves (see <see cref="BatchedRead"/>).</summary>
    public PrimedReads<VolumeState> Volumes { get; } = new("ec2:DescribeVolumes", nitro.DescribeVolumesAsync);

    /// <summary>How a call names its look, for the executor to make it with the others.</summary>
    public BatchedRead ReadOf(string volumeId) => new(Volumes, volumeId);

    public INitroPort Port => nitro;
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Detach the volume when it is attached to <paramref name="instanceId"/>.</summary>
    public async Task<ImmutableDictionary<string, string>> DetachAsync(string volumeId, string instanceId, CancellationToken cancellationToken)
    {
        var volume = await ReadAsync(volumeId, cancellationToken);
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
        Observation.Of(Observed, Observation.Volume(await ReadAsync(volumeId, cancellationToken)), Now);

    /// <summary>Attach the volume to <paramref name="instanceId"/> at <paramref name="device"/> when it is available.</summary>
    public async Task<ImmutableDictionary<string, string>> AttachAsync(string volumeId, string instanceId, string device, CancellationToken cancellationToken)
    {
        var volume = await ReadAsync(volumeId, cancellationToken);
        if (volume is { IsAvailable: true })
        {
            await nitro.AttachVolumeAsync(volumeId, instanceId, device, cancellationToken);
            volume = volume with { State = "in-use", AttachedTo = instanceId, Device = device, AttachmentState = "attaching" };
        }
        return Observation.Of(Observed, Observation.Volume(volume), Now);
    }

    private Task<VolumeState?> ReadAsync(string volumeId, CancellationToken cancellationToken) =>
        Volumes.TakeOrReadAsync(volumeId, ct => nitro.DescribeVolumeAsync(volumeId, ct), cancellationToken);
}
