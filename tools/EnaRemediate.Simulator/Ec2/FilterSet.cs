using System.Text.RegularExpressions;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>
/// The filters one Describe action understands: each filter name maps to the values a resource has
/// for it. A resource matches when, for every filter, one of its values matches one of the
/// filter's values (EC2's AND across filters, OR within one; `*` and `?` wildcards).
/// </summary>
internal sealed class FilterSet<T>
{
    private readonly Dictionary<string, Func<T, IEnumerable<string?>>> _fields = new(StringComparer.Ordinal);
    private Func<T, IReadOnlyDictionary<string, string>>? _tags;

    public FilterSet<T> On(string name, Func<T, string?> value)
    {
        _fields[name] = r => [value(r)];
        return this;
    }

    public FilterSet<T> OnMany(string name, Func<T, IEnumerable<string?>> values)
    {
        _fields[name] = values;
        return this;
    }

    /// <summary>Adds tag:KEY, tag-key and tag-value from the resource's tags.</summary>
    public FilterSet<T> WithTags(Func<T, IReadOnlyDictionary<string, string>> tags)
    {
        _tags = tags;
        return this;
    }

    public Func<T, bool> Compile(IReadOnlyList<Ec2Filter> filters)
    {
        var predicates = filters.Select(Predicate).ToList();
        return resource => predicates.All(p => p(resource));
    }

    private Func<T, bool> Predicate(Ec2Filter filter)
    {
        var patterns = filter.Values.Select(Wildcard).ToList();
        bool Any(IEnumerable<string?> values) => values.Any(v => v is not null && patterns.Any(p => p.IsMatch(v)));
        if (_fields.TryGetValue(filter.Name, out var field))
        {
            return r => Any(field(r));
        }
        if (_tags is { } tags)
        {
            if (filter.Name.StartsWith("tag:", StringComparison.Ordinal))
            {
                var key = filter.Name[4..];
                return r => tags(r).TryGetValue(key, out var v) && Any([v]);
            }
            if (filter.Name == "tag-key")
            {
                return r => Any(tags(r).Keys);
            }
            if (filter.Name == "tag-value")
            {
                return r => Any(tags(r).Values);
            }
        }
        throw new ApiException("InvalidParameterValue", $"The filter '{filter.Name}' is invalid");
    }

    private static Regex Wildcard(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}
