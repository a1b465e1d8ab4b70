using System.Xml.Linq;
using EnaRemediate.Simulator.World;
using static EnaRemediate.Simulator.Ec2.Ec2Xml;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>CreateTags, DeleteTags and DescribeTags over instances, volumes, snapshots and images.</summary>
internal static class TagActions
{
    private sealed record TagRow(string ResourceId, string ResourceType, string Key, string Value);

    private static readonly FilterSet<TagRow> TagFilters = new FilterSet<TagRow>()
        .On("resource-id", r => r.ResourceId)
        .On("resource-type", r => r.ResourceType)
        .On("key", r => r.Key)
        .On("value", r => r.Value);

    public static void Register(Ec2Router router)
    {
        router.Add("CreateTags", CreateTags);
        router.Add("DeleteTags", DeleteTags);
        router.Add("DescribeTags", DescribeTags);
    }

    /// <summary>The tags of any taggable resource by id, or the EC2 error for a bad or unknown id.</summary>
    public static Dictionary<string, string> TagsOf(Ec2Context ctx, string id)
    {
        var world = ctx.World;
        Dictionary<string, string>? tags = id.Split('-')[0] switch
        {
            "i" => ctx.Instances([id])[0].Tags,
            "vol" => world.Volumes.FirstOrDefault(v => v.VolumeId == id)?.Tags ?? throw new ApiException("InvalidVolume.NotFound", $"The volume '{id}' does not exist."),
            "snap" => world.Snapshots.FirstOrDefault(s => s.SnapshotId == id)?.Tags ?? throw new ApiException("InvalidSnapshot.NotFound", $"The snapshot '{id}' does not exist."),
            "ami" => world.Images.FirstOrDefault(i => i.ImageId == id)?.Tags ?? throw new ApiException("InvalidAMIID.NotFound", $"The image id '[{id}]' does not exist"),
            _ => null,
        };
        return tags ?? throw new ApiException("InvalidID", $"The ID '{id}' is not valid");
    }

    /// <summary>Checks tags the way EC2 does: key 1–128 characters, value up to 256, no 'aws:' prefix.</summary>
    public static void Validate(IEnumerable<KeyValuePair<string, string>> tags)
    {
        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > 128)
            {
                throw new ApiException("InvalidParameterValue", "Tag key must be between 1 and 128 characters.");
            }
            if (value.Length > 256)
            {
                throw new ApiException("InvalidParameterValue", "Tag value must be at most 256 characters.");
            }
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw new ApiException("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
            }
        }
    }

    private static IEnumerable<XElement> CreateTags(Ec2Context ctx)
    {
        var ids = ctx.Request.List("ResourceId");
        if (ids.Count == 0)
        {
            throw new ApiException("MissingParameter", "The request must contain the parameter resourceIdSet");
        }
        var tags = ctx.Request.Tags();
        Validate(tags);
        var targets = ids.Select(id => TagsOf(ctx, id)).ToList();
        ctx.ExitIfDryRun();
        foreach (var target in targets)
        {
            foreach (var (key, value) in tags)
            {
                target[key] = value;
            }
        }
        yield return E("return", true);
    }

    private static IEnumerable<XElement> DeleteTags(Ec2Context ctx)
    {
        var ids = ctx.Request.List("ResourceId");
        var tags = ctx.Request.Structs("Tag");
        var targets = ids.Select(id => TagsOf(ctx, id)).ToList();
        ctx.ExitIfDryRun();
        foreach (var target in targets)
        {
            foreach (var tag in tags)
            {
                if (tag.TryGetValue("Key", out var key) && (!tag.TryGetValue("Value", out var value) || (target.TryGetValue(key, out var v) && v == value)))
                {
                    target.Remove(key);
                }
            }
        }
        yield return E("return", true);
    }

    private static IEnumerable<XElement> DescribeTags(Ec2Context ctx)
    {
        var world = ctx.World;
        var rows = world.Instances.SelectMany(i => Rows(i.InstanceId, "instance", i.Tags))
            .Concat(world.Images.SelectMany(i => Rows(i.ImageId, "image", i.Tags)))
            .Concat(world.Volumes.SelectMany(v => Rows(v.VolumeId, "volume", v.Tags)))
            .Concat(world.Snapshots.SelectMany(s => Rows(s.SnapshotId, "snapshot", s.Tags)));
        var match = TagFilters.Compile(ctx.Request.Filters());
        var selected = rows.Where(match).ToList();
        ctx.ExitIfDryRun();
        var (page, next) = Paging.Page(selected, ctx.Request, 5, 1000);
        yield return Set("tagSet", page.Select(r => new object?[]
        {
            E("resourceId", r.ResourceId), E("resourceType", r.ResourceType), E("key", r.Key), E("value", r.Value),
        }));
        if (next is not null)
        {
            yield return E("nextToken", next);
        }
    }

    private static IEnumerable<TagRow> Rows(string id, string type, IReadOnlyDictionary<string, string> tags) =>
        tags.Select(t => new TagRow(id, type, t.Key, t.Value));
}
