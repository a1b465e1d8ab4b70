using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Plans.ReregisterAmi;

/// <summary>What inspecting a source image found: the image (null when EC2 no longer knows it) and an ENA-disabled copy made earlier, if any.</summary>
public sealed record SourceInspection(string ImageId, Ec2Image? Source, Ec2Image? Existing);

/// <summary>
/// The image calls of the plan, each safe to repeat: inspecting finds an earlier copy (by the
/// source-image tag, or by today's name for a registration that crashed before its tags),
/// registering first looks the intended name up, tagging overwrites. The plan's steps and the
/// CLI's --image-id path both use these, so there is one implementation of the idempotency rules.
/// </summary>
public sealed class AmiRegistrar(IImagePort images, TimeProvider time)
{
    private static readonly string[] UsableStates = ["pending", "available"];

    public IImagePort Images => images;

    public async Task<SourceInspection> InspectAsync(string imageId, CancellationToken cancellationToken)
    {
        var source = await images.DescribeImageAsync(imageId, cancellationToken);
        if (source is null)
        {
            return new(imageId, null, null);
        }
        var copies = await images.FindOwnImagesAsync(null, new(AmiNaming.SourceImageTag, imageId), cancellationToken);
        var existing = Usable(copies, enaSupport: false).FirstOrDefault();
        if (existing is null)
        {
            var todays = await images.FindOwnImagesAsync(AmiNaming.NameFor(source.Name, time.GetUtcNow()), null, cancellationToken);
            existing = Usable(todays, enaSupport: false).FirstOrDefault();
        }
        return new(imageId, source, existing);
    }

    /// <summary>Registers the image unless one with its name already exists in this account (a registration that crashed before it was saved).</summary>
    public async Task<string> EnsureRegisteredAsync(ImageRegistration registration, CancellationToken cancellationToken)
    {
        if (await FindByNameAsync(registration, cancellationToken) is { } earlier)
        {
            return earlier;
        }
        try
        {
            return await images.RegisterImageAsync(registration, cancellationToken);
        }
        catch (AwsCallException e) when (e.ErrorCode == "InvalidAMIName.Duplicate")
        {
            // Registered by a concurrent attempt between the look-up and the call: use that one.
            var raced = await FindByNameAsync(registration, cancellationToken);
            if (raced is null)
            {
                throw;
            }
            return raced;
        }
    }

    public Task TagAsync(string imageId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        images.TagImageAsync(imageId, tags, cancellationToken);

    /// <summary>The image's state now; "deregistered" when EC2 no longer knows it.</summary>
    public async Task<string> StateAsync(string imageId, CancellationToken cancellationToken) =>
        (await images.DescribeImageAsync(imageId, cancellationToken))?.State ?? "deregistered";

    public DateTimeOffset Now => time.GetUtcNow();

    private async Task<string?> FindByNameAsync(ImageRegistration registration, CancellationToken cancellationToken) =>
        Usable(await images.FindOwnImagesAsync(registration.Name, null, cancellationToken), registration.EnaSupport).FirstOrDefault()?.ImageId;

    // Only a usable image with the intended ENA setting counts as the one registered earlier; a failed one, or one with the other setting, is not reused.
    private static IEnumerable<Ec2Image> Usable(IEnumerable<Ec2Image> found, bool enaSupport) =>
        found.Where(i => i.EnaSupport == enaSupport && UsableStates.Contains(i.State)).OrderBy(i => i.ImageId, StringComparer.Ordinal);
}
