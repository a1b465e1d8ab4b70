using EnaRemediate.Core.Engine.Ports;
using EnaRemediate.Engine.Tests.Fakes;

namespace EnaRemediate.Engine.Tests.ReregisterAmi;

/// <summary>
/// The image port of a process that dies right after one mutating call succeeded in EC2 and before
/// anything learned of it: the call is made, then <see cref="SimulatedCrash"/> is thrown out of Advance.
/// <paramref name="occurrence"/> picks which call of that action (the replacement journey makes two of each).
/// </summary>
internal sealed class CrashingImages(IImagePort inner, string crashAfter, int occurrence = 1) : IImagePort
{
    private int _seen;

    public bool Fired { get; private set; }

    public Task<Ec2Image?> DescribeImageAsync(string imageId, CancellationToken ct) => inner.DescribeImageAsync(imageId, ct);
    public Task<IReadOnlyList<Ec2Image>> FindOwnImagesAsync(string? name, KeyValuePair<string, string>? tag, CancellationToken ct) => inner.FindOwnImagesAsync(name, tag, ct);
    public Task<string> RegisterImageAsync(ImageRegistration registration, CancellationToken ct) => CrashAfter("RegisterImage", () => inner.RegisterImageAsync(registration, ct));
    public Task TagImageAsync(string imageId, IReadOnlyDictionary<string, string> tags, CancellationToken ct) => CrashAfter("CreateTags", async () => { await inner.TagImageAsync(imageId, tags, ct); return true; });
    public Task<LaunchSettings?> DescribeLaunchSettingsAsync(string instanceId, CancellationToken ct) => inner.DescribeLaunchSettingsAsync(instanceId, ct);
    public Task<string?> DescribeUserDataAsync(string instanceId, CancellationToken ct) => inner.DescribeUserDataAsync(instanceId, ct);
    public Task<string> RunInstanceAsync(ReplacementLaunch launch, string? userData, CancellationToken ct) => CrashAfter("RunInstances", () => inner.RunInstanceAsync(launch, userData, ct));

    private async Task<T> CrashAfter<T>(string action, Func<Task<T>> call)
    {
        var result = await call();
        if (action == crashAfter && ++_seen == occurrence && !Fired)
        {
            Fired = true;
            throw new SimulatedCrash();
        }
        return result;
    }
}
