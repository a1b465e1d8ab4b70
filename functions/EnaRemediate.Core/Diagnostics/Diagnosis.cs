namespace EnaRemediate.Core.Diagnostics;

/// <summary>One line that supports a finding. Line is 1-based; 0 means a structured field of a JSON document.</summary>
public sealed record Evidence(string Input, int Line, string Text);

/// <summary>
/// What was found, how bad it is, the lines that show it (at most <see cref="FindingCollector.MaxEvidence"/>)
/// and what a person should do. Occurrences counts every matching line, also those not kept as evidence.
/// </summary>
public sealed record Finding(string Code, Severity Severity, IReadOnlyList<Evidence> Evidence, string Advice)
{
    public long Occurrences { get; init; } = Evidence.Count;
}

/// <summary>What one input was recognised as.</summary>
public sealed record InputInfo(string Name, InputKind Kind);

public sealed record Diagnosis(Verdict Verdict, IReadOnlyList<Finding> Findings, IReadOnlyList<InputInfo> Inputs);
