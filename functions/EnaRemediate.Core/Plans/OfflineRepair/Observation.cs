using System.Collections.Immutable;
using System.Globalization;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.OfflineRepair;

/// <summary>
/// What a plan-owned call saw, kept in the memo with the time it was seen: the offline-repair
/// steps decide from the latest observation (made after the step began) like other steps decide
/// from DescribeInstances.
/// </summary>
public static class Observation
{
    public static string AtKey(string key) => key + ".at";

    public static ImmutableDictionary<string, string> Of(string key, string value, DateTimeOffset at) =>
        ImmutableDictionary<string, string>.Empty.Add(key, value).Add(AtKey(key), at.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>The observation under <paramref name="key"/> when it was made after <paramref name="since"/>; else null.</summary>
    public static string? Since(StepContext context, string key, DateTimeOffset since) =>
        context.MemoTime(AtKey(key)) is { } at && at >= since ? context.Memo(key) : null;

    /// <summary>How long ago the last observation under <paramref name="key"/> was made (null: never).</summary>
    public static TimeSpan? Age(StepContext context, string key) =>
        context.MemoTime(AtKey(key)) is { } at ? context.Now - at : null;

    public static string Volume(VolumeState? volume) =>
        volume is null ? "missing" : string.Join('|', volume.State, volume.AttachedTo ?? "", volume.Device ?? "", volume.AttachmentState ?? "");

    /// <summary>The parts of a <see cref="Volume"/> observation: state, attached-to, device, attachment state.</summary>
    public static (string State, string AttachedTo, string Device, string AttachmentState) ParseVolume(string? observed)
    {
        var parts = (observed ?? "").Split('|');
        return parts.Length == 4 ? (parts[0], parts[1], parts[2], parts[3]) : (observed ?? "unknown", "", "", "");
    }
}
