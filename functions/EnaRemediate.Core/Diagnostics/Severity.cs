namespace EnaRemediate.Core.Diagnostics;

/// <summary>How loudly a finding should be shown. Ordered: a merged finding keeps the highest.</summary>
public enum Severity
{
    Info = 0,
    Warning = 1,
    Error = 2,
    Critical = 3,
}

public static class SeverityNames
{
    public static string ToWireName(this Severity severity) => severity switch
    {
        Severity.Info => "info",
        Severity.Warning => "warning",
        Severity.Error => "error",
        Severity.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, null),
    };
}
