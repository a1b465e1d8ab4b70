namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>What registering an ENA-disabled copy of one image came to: a refusal, or the copy (new or reused).</summary>
public sealed record ImageRegistrationResult(string SourceImageId, AmiRefusal? Refusal, string? ImageId = null, string? Name = null, bool Reused = false)
{
    public bool Refused => Refusal is not null;
}

/// <summary>
/// The --image-id path (no instance involved, so no remediation record): the same rules as the
/// plan's steps, made in one go. Safe to repeat: an earlier copy is found by its source tag, or by
/// today's name when a run died between RegisterImage and CreateTags, and is tagged then.
/// </summary>
public sealed class ImageOnlyRegistration(AmiRegistrar registrar)
{
    public async Task<ImageRegistrationResult> RegisterAsync(string imageId, string requestId, CancellationToken cancellationToken)
    {
        var found = await registrar.InspectAsync(imageId, cancellationToken);
        if (SourceImageJudge.Judge(imageId, found.Source) is { } refusal)
        {
            return new(imageId, refusal);
        }
        var source = found.Source!;
        var tags = AmiNaming.TagsFor(source.Tags, imageId, requestId);
        if (found.Existing is { } existing)
        {
            if (!existing.Tags.ContainsKey(AmiNaming.SourceImageTag))
            {
                await registrar.TagAsync(existing.ImageId, tags, cancellationToken);
            }
            return new(imageId, null, existing.ImageId, existing.Name, Reused: true);
        }
        var name = AmiNaming.NameFor(source.Name, registrar.Now);
        var newId = await registrar.EnsureRegisteredAsync(SourceImageJudge.CopyWithoutEna(source, name), cancellationToken);
        await registrar.TagAsync(newId, tags, cancellationToken);
        return new(imageId, null, newId, name);
    }
}
