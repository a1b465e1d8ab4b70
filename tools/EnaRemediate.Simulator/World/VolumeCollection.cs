using System.Collections.ObjectModel;

namespace EnaRemediate.Simulator.World;

/// <summary>
/// The account's EBS volumes in creation order, indexed by id and by the instance each was last
/// attached to, so that an instance's root volume (read on every status, ping and describe) is
/// found without scanning the fleet's volumes. A volume tells its collection when its attachment
/// is replaced; a detach only sets <see cref="VolumeAttachment.DetachedAt"/>, which the lookups check.
/// </summary>
internal sealed class VolumeCollection : Collection<VolumeRecord>
{
    private readonly Dictionary<string, VolumeRecord> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<VolumeRecord>> _byInstance = new(StringComparer.Ordinal);
    private long _created;

    public VolumeRecord? Find(string volumeId) => _byId.GetValueOrDefault(volumeId);

    /// <summary>The volumes attached (or attaching, or detaching) to an instance now, in creation order.</summary>
    public IEnumerable<VolumeRecord> AttachedTo(string instanceId) =>
        _byInstance.TryGetValue(instanceId, out var list)
            ? list.Where(v => v.Attachment is { DetachedAt: null } a && a.InstanceId == instanceId)
            : [];

    internal void Reattached(VolumeRecord volume, VolumeAttachment? before)
    {
        if (before is not null)
        {
            Unindex(volume, before.InstanceId);
        }
        Index(volume);
    }

    protected override void InsertItem(int index, VolumeRecord item)
    {
        base.InsertItem(index, item);
        _byId[item.VolumeId] = item;
        item.Owner = this;
        item.Sequence = _created++;
        Index(item);
    }

    protected override void RemoveItem(int index)
    {
        var item = this[index];
        base.RemoveItem(index);
        _byId.Remove(item.VolumeId);
        item.Owner = null;
        if (item.Attachment is { } a)
        {
            Unindex(item, a.InstanceId);
        }
    }

    protected override void SetItem(int index, VolumeRecord item) =>
        throw new NotSupportedException("volumes are added and removed, never replaced in place");

    protected override void ClearItems() =>
        throw new NotSupportedException("the account's volumes are never cleared");

    private void Index(VolumeRecord volume)
    {
        if (volume.Attachment is not { } a)
        {
            return;
        }
        if (!_byInstance.TryGetValue(a.InstanceId, out var list))
        {
            list = [];
            _byInstance[a.InstanceId] = list;
        }
        // Keep creation order, which the scans this index replaces returned.
        var at = list.FindIndex(v => v.Sequence > volume.Sequence);
        list.Insert(at < 0 ? list.Count : at, volume);
    }

    private void Unindex(VolumeRecord volume, string instanceId)
    {
        if (_byInstance.TryGetValue(instanceId, out var list))
        {
            list.Remove(volume);
        }
    }
}
