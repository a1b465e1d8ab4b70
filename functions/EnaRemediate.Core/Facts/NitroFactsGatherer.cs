using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Facts;

/// <summary>
/// Adds <see cref="NitroFacts"/> to the facts of ENA-required instances in a few calls: one
/// DescribeInstances for all of them, one DescribeImages for their AMIs, DescribeInstanceTypes for
/// their types and the Xen types (cached: types do not change), and one
/// DescribeInstanceTypeOfferings per Availability Zone.
/// </summary>
public sealed class NitroFactsGatherer(INitroPort nitro)
{
    private readonly Dictionary<string, InstanceTypeDetails> _types = new(StringComparer.Ordinal);
    private IReadOnlyList<InstanceTypeDetails>? _xen;

    public async Task<IReadOnlyDictionary<string, InstanceFacts>> AddAsync(IReadOnlyDictionary<string, InstanceFacts> facts, CancellationToken cancellationToken)
    {
        var nitroIds = facts.Values.Where(f => f.TypeEnaSupport == "required" && f.Instance?.RootDeviceType == "ebs").Select(f => f.InstanceId).ToList();
        if (nitroIds.Count == 0)
        {
            return facts;
        }
        var instances = await nitro.DescribeNitroInstancesAsync(nitroIds, cancellationToken);
        var images = facts.Values.Where(f => instances.ContainsKey(f.InstanceId)).Select(f => f.Instance!.ImageId).OfType<string>().Distinct().ToList();
        var bootModes = images.Count == 0 ? new Dictionary<string, string?>() : await nitro.DescribeImageBootModesAsync(images, cancellationToken);
        var missing = facts.Values.Select(f => f.Instance?.InstanceType).OfType<string>().Where(t => !_types.ContainsKey(t)).Distinct().ToList();
        if (missing.Count > 0)
        {
            foreach (var type in await nitro.DescribeInstanceTypesAsync(missing, null, cancellationToken))
            {
                _types[type.Name] = type;
            }
        }
        _xen ??= await nitro.DescribeInstanceTypesAsync([], "xen", cancellationToken);
        var offered = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var zone in instances.Values.Select(i => i.AvailabilityZone).OfType<string>().Distinct())
        {
            offered[zone] = await nitro.DescribeOfferingsAsync(zone, _xen.Select(t => t.Name).ToList(), cancellationToken);
        }
        var result = facts.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        foreach (var (id, instance) in instances)
        {
            var fact = facts[id];
            var zoneOffers = instance.AvailabilityZone is { } z && offered.TryGetValue(z, out var o) ? o : new HashSet<string>();
            result[id] = fact with
            {
                Nitro = new NitroFacts(
                    instance,
                    fact.Instance!.ImageId is { } image ? bootModes.GetValueOrDefault(image) : null,
                    fact.Instance.InstanceType is { } type ? _types.GetValueOrDefault(type) : null,
                    _xen.Where(t => zoneOffers.Contains(t.Name)).ToList()),
            };
        }
        return result;
    }
}
