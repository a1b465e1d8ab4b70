using EnaRemediate.Core.HostReports;

namespace EnaRemediate.Core.Engine.Validation;

/// <summary>The judgement of a validate step: passed, and a plain reason either way.</summary>
public sealed record ValidationResult(bool Passed, string Reason, string? Verdict = null, string? EnaModuleVersion = null);

/// <summary>
/// Judges host reports for the fallback plan's two validate steps. Kept behind an interface so the
/// diagnostics engine's verdict is one implementation detail.
/// </summary>
public interface IHostValidator
{
    /// <summary>After the install, before ENA goes back on: every installed kernel has an ena module.</summary>
    ValidationResult CheckDriverInstalled(HostReport report);

    /// <summary>After ENA is back on: ena is the bound driver and the verdict is not FAILURE, NOT_READY or BUILD_FAILURE.</summary>
    ValidationResult CheckEnaBound(HostReport report);
}
