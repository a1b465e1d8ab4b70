using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Core.Engine;

/// <summary>
/// What an operator reads of an error (CLI lines, function answers, record reasons): AWS's action,
/// code and words once, or the error's own message; never a .NET type name, a stack trace or the
/// "(Parameter 'x')" that .NET appends to argument errors.
/// </summary>
public static class OperatorText
{
    public static string Of(Exception e) => e switch
    {
        AwsCallException aws => $"{aws.Action} failed: {aws.ErrorCode}: {aws.ServiceMessage}",
        ArgumentException { ParamName: { } name } argument => argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal),
        // .NET's default message names the type: "Exception of type 'X' was thrown."
        _ when e.Message.StartsWith("Exception of type '", StringComparison.Ordinal) => "an unexpected internal error (no details)",
        _ => e.Message,
    };
}
