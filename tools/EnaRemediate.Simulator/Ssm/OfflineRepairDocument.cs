using System.Text.RegularExpressions;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>
/// EnaRemediate-OfflineRepair, run on a rescue instance: the volume attached at TargetDevice
/// (on a Nitro rescue it shows up as an NVMe device, which the real script resolves from the
/// volume's serial) is mounted, /dev /proc /sys are bound into it, and install-ena.sh --root
/// installs the driver for every kernel installed *on the volume* and rebuilds its initramfs;
/// the rescue's own OS is never touched. Parameters: TargetDevice plus those of
/// EnaRemediate-InstallDriver. A device with nothing attached fails the run (exit 1) and changes nothing.
/// </summary>
internal sealed partial class OfflineRepairDocument : SimulatedDocument
{
    public const string DocumentName = "EnaRemediate-OfflineRepair";
    public const string TargetDeviceParameter = "TargetDevice";

    public override string Name => DocumentName;
    public override string PluginName => "offlineRepair";

    public override IReadOnlyList<DocumentParameter> Parameters { get; } =
        [new(TargetDeviceParameter, null, SecondaryDevice()), .. InstallDriverDocument.DriverParameters];

    public override TimeSpan Duration(Random random) => random.Draw(Latencies.DkmsBuild) + random.Draw(Latencies.ShortCommand);

    /// <summary>The instance whose root is at TargetDevice: the one this repair is for.</summary>
    public override string? Subject(DocumentRun run) => Target(run)?.OriginInstanceId;

    public override DocumentResult Run(DocumentRun run)
    {
        var device = run.Single(TargetDeviceParameter)!;
        var volume = Target(run);
        if (volume?.Guest is not { } guest)
        {
            return new DocumentResult(1, "", $"error: target_missing: no volume is attached at {device}\n");
        }
        var mount = $"mounted {device} ({volume.VolumeId}) at /mnt/enaremediate-offline; bound /dev /proc /sys";
        return InstallDriverDocument.InstallInto(guest, run, volume.OriginInstanceId ?? run.Instance.InstanceId, mount);
    }

    private static VolumeRecord? Target(DocumentRun run) =>
        run.World.VolumesOf(run.Instance.InstanceId)
            .FirstOrDefault(v => v.Attachment!.Device == run.Single(TargetDeviceParameter) && v.Attachment.StateAt(run.At) == "attached");

    // A data device of the rescue: the root is /dev/xvda or /dev/sda1, so only f-p are offered to volumes under repair.
    [GeneratedRegex("^/dev/(sd|xvd)[f-p]$")]
    private static partial Regex SecondaryDevice();
}
