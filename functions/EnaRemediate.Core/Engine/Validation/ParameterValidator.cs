using System.Text.RegularExpressions;

namespace EnaRemediate.Core.Engine.Validation;

/// <summary>
/// Every value the engine hands to AWS or to a host, checked before the first call that changes
/// anything: the install document's parameters (the same patterns as the SSM document's
/// allowedPattern, tightened to what the engine may send: https or s3 only, a version X.Y.Z), the
/// opt-in tag key, and the plan options a request carries (names, a route that names a plan,
/// tags EC2 would accept). A value that fails is refused up front with the reason, so nothing is
/// stopped for a command SSM would reject later.
/// </summary>
public static partial class ParameterValidator
{
    private static readonly HashSet<string> InstallKeys = new(StringComparer.Ordinal) { "SourceArchive", "Sha256", "Version", "Kernels" };

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256();

    [GeneratedRegex("^(https://|s3://)[A-Za-z0-9._~:/+%=@-]+$")]
    private static partial Regex SourceArchive();

    [GeneratedRegex(@"^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}$")]
    private static partial Regex Version();

    [GeneratedRegex("^[A-Za-z0-9._+~-]{1,200}$")]
    private static partial Regex KernelRelease();

    [GeneratedRegex(@"^(?![aA][wW][sS]:)[\p{L}\p{N} _.:/=+\-@]{1,128}$")]
    private static partial Regex TagKey();

    [GeneratedRegex(@"^[\p{L}\p{N} _.:/=+\-@]{0,256}$")]
    private static partial Regex TagValue();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9.-]{0,63}$")]
    private static partial Regex OptionName();

    /// <summary>The first problem with the engine's configuration; null when every value is usable.</summary>
    public static string? Problem(EngineOptions options)
    {
        foreach (var (key, values) in options.InstallParameters)
        {
            if (!InstallKeys.Contains(key))
            {
                return $"the driver install has no parameter {Quote(key)} (it takes {string.Join(", ", InstallKeys)})";
            }
            if (values.Count > 1)
            {
                return $"the driver install's {key} takes one value, not {values.Count}";
            }
        }
        if (Value(options, "Sha256") is { } sha && !Sha256().IsMatch(sha))
        {
            return $"the driver digest {Quote(sha)} is not a sha256 (64 hex digits)";
        }
        if (Value(options, "SourceArchive") is { } source && !SourceArchive().IsMatch(source))
        {
            return $"the driver source {Quote(source)} is not an https:// or s3:// URL of plain URL characters";
        }
        if (Value(options, "Version") is { } version && !Version().IsMatch(version))
        {
            return $"the driver version {Quote(version)} is not X.Y.Z (for example 2.16.1)";
        }
        if (Value(options, "Kernels") is { } kernels
            && kernels.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(k => !KernelRelease().IsMatch(k)) is { } kernel)
        {
            return $"{Quote(kernel)} is not a kernel release name (letters, digits and . _ + ~ -)";
        }
        if (!TagKey().IsMatch(options.OptInTagKey ?? ""))
        {
            return $"the opt-in tag key {Quote(options.OptInTagKey)} is not a usable EC2 tag key";
        }
        return null;
    }

    /// <summary>
    /// The first problem with a request's plan options; null when they are usable. A route must
    /// name a plan this engine has; a tag option (tag.KEY=VALUE) must be a tag EC2 accepts.
    /// </summary>
    public static string? Problem(IReadOnlyDictionary<string, string> planOptions, Func<string, bool> isPlan)
    {
        foreach (var (name, value) in planOptions)
        {
            if (name.StartsWith("tag.", StringComparison.Ordinal))
            {
                var key = name["tag.".Length..];
                if (!TagKey().IsMatch(key) || !TagValue().IsMatch(value ?? ""))
                {
                    return $"the tag {Quote(key)}={Quote(value)} is not one EC2 accepts (key 1-128, value 0-256 letters, digits, spaces and _ . : / = + - @; no aws: prefix)";
                }
                continue;
            }
            if (!OptionName().IsMatch(name))
            {
                return $"{Quote(name)} is not an option name";
            }
            if (value is null || value.Length > 256 || value.Any(char.IsControl))
            {
                return $"the option {name} has an unusable value {Quote(value)}";
            }
            if (name == "route" && !isPlan(value))
            {
                return $"the route {Quote(value)} names no plan this engine has";
            }
        }
        return null;
    }

    /// <summary>A driver version as the install reports it (X.Y.Z); anything else is not repeated in a command someone might paste.</summary>
    public static bool IsVersion(string value) => Version().IsMatch(value);

    private static string? Value(EngineOptions options, string key) =>
        options.InstallParameters.TryGetValue(key, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    /// <summary>Quoted for a reason text: shortened, control characters replaced, so a hostile value cannot forge output.</summary>
    private static string Quote(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }
        var clean = new string(value.Take(70).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c).ToArray());
        return "'" + clean + (value.Length > 70 ? "…" : "") + "'";
    }
}
