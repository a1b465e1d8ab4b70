namespace EnaRemediate.Simulator.World;

/// <summary>An error the simulated service answers with: EC2 and SSM error code, message and HTTP status.</summary>
public sealed class ApiException(string code, string message, int status = 400) : Exception(message)
{
    public string Code { get; } = code;
    public int Status { get; } = status;
}
