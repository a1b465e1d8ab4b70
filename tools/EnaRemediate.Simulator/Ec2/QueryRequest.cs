using System.Globalization;
using System.Text.RegularExpressions;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>A filter from the request: Filter.N.Name with its Filter.N.Value.M values.</summary>
internal sealed record Ec2Filter(string Name, IReadOnlyList<string> Values);

/// <summary>
/// The form-encoded parameters of one EC2 Query request, with the protocol's flattened lists
/// (InstanceId.1, Filter.1.Value.1, Tag.1.Key) read back into lists. Every bad value becomes an
/// EC2 error, never an exception the server does not understand.
/// </summary>
internal sealed partial class QueryRequest(IReadOnlyDictionary<string, string> parameters)
{
    public string Action => Get("Action") ?? "";

    public string? Get(string name) => parameters.TryGetValue(name, out var value) ? value : null;

    public string Required(string name) =>
        Get(name) is { Length: > 0 } value ? value : throw new ApiException("MissingParameter", $"The request must contain the parameter {name}");

    public bool Bool(string name, bool fallback = false) => Get(name) switch
    {
        null => fallback,
        var v when bool.TryParse(v, out var b) => b,
        var v => throw new ApiException("InvalidParameterValue", $"Value ({v}) for parameter {name} is invalid. Expected a boolean."),
    };

    public int? Int(string name) => Get(name) switch
    {
        null => null,
        var v when int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
        var v => throw new ApiException("InvalidParameterValue", $"Value ({v}) for parameter {name} is invalid. Expected an integer."),
    };

    public bool DryRun => Bool("DryRun");

    /// <summary>Prefix.1, Prefix.2, … in index order.</summary>
    public IReadOnlyList<string> List(string prefix) =>
        Indexed(prefix).Where(e => e.Member.Length == 0).OrderBy(e => e.Index).Select(e => e.Value).ToList();

    /// <summary>Prefix.N.Member groups: for each N, its members by name (Tag.1.Key, Tag.1.Value).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Structs(string prefix) =>
        Indexed(prefix).Where(e => e.Member.Length > 0)
            .GroupBy(e => e.Index)
            .OrderBy(g => g.Key)
            .Select(g => (IReadOnlyDictionary<string, string>)g.ToDictionary(e => e.Member, e => e.Value, StringComparer.Ordinal))
            .ToList();

    public IReadOnlyList<Ec2Filter> Filters()
    {
        var result = new List<Ec2Filter>();
        foreach (var group in Structs("Filter"))
        {
            var name = group.TryGetValue("Name", out var n) ? n : throw new ApiException("InvalidParameterValue", "A filter is missing its Name.");
            var values = group.Where(kv => kv.Key.StartsWith("Value.", StringComparison.Ordinal))
                .OrderBy(kv => int.TryParse(kv.Key[6..], out var i) ? i : int.MaxValue)
                .Select(kv => kv.Value).ToList();
            result.Add(new Ec2Filter(name, values));
        }
        return result;
    }

    /// <summary>Tag.N.Key / Tag.N.Value (CreateTags).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags(string prefix = "Tag") =>
        Structs(prefix).Select(s => new KeyValuePair<string, string>(
            s.TryGetValue("Key", out var k) ? k : throw new ApiException("InvalidParameterValue", "A tag is missing its Key."),
            s.TryGetValue("Value", out var v) ? v : "")).ToList();

    /// <summary>TagSpecification.N.ResourceType with its Tag.M.Key/Value.</summary>
    public IReadOnlyList<(string ResourceType, IReadOnlyList<KeyValuePair<string, string>> Tags)> TagSpecifications() =>
        Structs("TagSpecification").Select(s =>
        {
            var type = s.TryGetValue("ResourceType", out var t) ? t : "";
            var tags = s.Where(kv => kv.Key.StartsWith("Tag.", StringComparison.Ordinal))
                .Select(kv => (Parts: kv.Key.Split('.'), kv.Value))
                .Where(x => x.Parts.Length == 3)
                .GroupBy(x => x.Parts[1])
                .Select(g => new KeyValuePair<string, string>(
                    g.FirstOrDefault(x => x.Parts[2] == "Key").Value ?? "",
                    g.FirstOrDefault(x => x.Parts[2] == "Value").Value ?? ""))
                .ToList();
            return (type, (IReadOnlyList<KeyValuePair<string, string>>)tags);
        }).ToList();

    private IEnumerable<(int Index, string Member, string Value)> Indexed(string prefix)
    {
        foreach (var (key, value) in parameters)
        {
            if (!key.StartsWith(prefix + ".", StringComparison.Ordinal))
            {
                continue;
            }
            var match = IndexPart().Match(key[(prefix.Length + 1)..]);
            if (match.Success)
            {
                yield return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, value);
            }
        }
    }

    [GeneratedRegex(@"^(\d{1,6})(?:\.(.+))?$")]
    private static partial Regex IndexPart();
}
