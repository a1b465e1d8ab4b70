using EnaRemediate.Core.Engine;
namespace EnaRemediate.Functions.Intake;

/// <summary>What intake made of an event.</summary>
public enum IntakeOutcome
{
    /// <summary>A remediation request for one or more instances.</summary>
    Accepted,
    /// <summary>A well-formed event that must not start anything (OK state, another metric): logged, not an error.</summary>
    Ignored,
    /// <summary>Malformed or hostile input: a clear error, and nothing was called.</summary>
    Rejected,
}

/// <summary>The outcome, a sentence a person understands, and the request when accepted.</summary>
public sealed record IntakeDecision(IntakeOutcome Outcome, string Reason, RemediationRequest? Request)
{
    public static IntakeDecision Accept(RemediationRequest request, string reason) => new(IntakeOutcome.Accepted, reason, request);
    public static IntakeDecision Ignore(string reason) => new(IntakeOutcome.Ignored, reason, null);
    public static IntakeDecision Reject(string reason) => new(IntakeOutcome.Rejected, reason, null);
}
